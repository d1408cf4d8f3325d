package io.synthstream.cli.indirect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real corpus read as labelled texts, and a classifier trained on real mail learning from it. */
class SpamAssassinCorpusTest {
    @Test
    void everyMessageBecomesItsSubjectAndBodyWithItsLabel() {
        List<SpamAssassinCorpus.Message> messages = RealCorpus.messages();

        // The package's five folders: 500 + 1,396 spam, 2,500 + 1,400 + 250 ham.
        assertThat(messages).hasSize(6046);
        assertThat(messages.stream().filter(m -> m.text().label().equals("spam")))
                .hasSize(1896);
        assertThat(messages)
                .allSatisfy(m -> assertThat(m.text().text())
                        .isNotBlank()
                        .hasSizeLessThanOrEqualTo(SpamAssassinCorpus.MAX_CHARS)
                        .doesNotStartWith("Return-Path:")
                        .doesNotStartWith("Received:")
                        .doesNotContain("Delivered-To: zzzz@localhost"));
        // An HTML-only spam: its subject, then its body as text, without tags or quoted-printable.
        SpamAssassinCorpus.Message first = messages.stream()
                .filter(m -> m.source().startsWith("spam-1/00001."))
                .findFirst()
                .orElseThrow();
        assertThat(first.text().text())
                .startsWith("Life Insurance - Why Pay More?. ")
                .doesNotContain("<", "=3D");
    }

    @Test
    void theSplitIsStratifiedAndTheSameEveryRun() {
        List<SpamAssassinCorpus.Message> messages = RealCorpus.messages();
        Map<String, List<SpamAssassinCorpus.Message>> parts = SpamAssassinCorpus.split(messages, 0.3, 42);

        assertThat(SpamAssassinCorpus.describe(parts))
                .isEqualTo("test 1814 {ham=1245, spam=569}; train 4232 {ham=2905, spam=1327}");
        assertThat(SpamAssassinCorpus.split(messages, 0.3, 42).get("test")).isEqualTo(parts.get("test"));
        assertThat(parts.get("test")).doesNotContainAnyElementsOf(parts.get("train"));
    }

    @Test
    void aClassifierTrainedOnRealMailSeparatesSpamFromHam() {
        Map<String, List<SpamAssassinCorpus.Message>> parts = SpamAssassinCorpus.split(RealCorpus.messages(), 0.3, 42);
        List<LabelledText> train = parts.get("train").subList(0, 800).stream()
                .map(SpamAssassinCorpus.Message::text)
                .toList();
        List<LabelledText> test = parts.get("test").subList(0, 600).stream()
                .map(SpamAssassinCorpus.Message::text)
                .toList();

        Scores s = new TextClassifier(TextClassifier.Features.tfidf, 42, null)
                .trainAndTest(train, false, test, List.of("spam", "ham"));

        // Published spam filters reach 0.95-0.99 on this corpus; a bag of words on 800 mails is close.
        assertThat(s.macroF1()).isGreaterThan(0.9);
        assertThat(s.accuracy()).isGreaterThan(0.92);
    }
}
