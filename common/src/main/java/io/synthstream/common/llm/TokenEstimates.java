package io.synthstream.common.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;

/**
 * Token counts for a reply whose server reported no {@code usage}, so that its tokens are still
 * counted and priced (and marked estimated). Text is counted with jtokkit: in the model's own
 * encoding for OpenAI models jtokkit knows, else in {@code cl100k_base}, an approximation for other
 * families, whose tokenizers split text differently. A chat prompt adds OpenAI's framing: 3 tokens
 * per message and 3 for the reply's start.
 */
public final class TokenEstimates {
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final int PER_MESSAGE = 3;
    private static final int REPLY_PRIMING = 3;

    private TokenEstimates() {}

    /** The encoding that counts {@code model}'s tokens, or {@code cl100k_base}. */
    public static Encoding encoding(String model) {
        if (model != null && !model.isBlank()) {
            String name = model.strip().toLowerCase(Locale.ROOT);
            name = name.substring(name.lastIndexOf('/') + 1); // a gateway's vendor/ prefix
            if (name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.matches("o[134](-.*)?")) {
                return REGISTRY.getEncoding(EncodingType.O200K_BASE); // before jtokkit's gpt-4 prefix rule
            }
            var own = REGISTRY.getEncodingForModel(name);
            if (own.isPresent()) {
                return own.get();
            }
        }
        return REGISTRY.getEncoding(EncodingType.CL100K_BASE);
    }

    /** The prompt tokens of {@code request} sent to {@code model}. */
    public static long prompt(LlmRequest request, String model) {
        Encoding encoding = encoding(model);
        long tokens = REPLY_PRIMING;
        for (LlmRequest.Message m : request.messages()) {
            tokens += PER_MESSAGE + encoding.countTokensOrdinary(m.role()) + encoding.countTokensOrdinary(m.content());
        }
        return tokens;
    }

    /** The tokens of a reply's text. */
    public static long completion(String content, String model) {
        return content == null ? 0 : encoding(model).countTokensOrdinary(content);
    }
}
