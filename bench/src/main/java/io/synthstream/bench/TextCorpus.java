package io.synthstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded synthetic texts of a given size, made of made-up words and sentences. */
final class TextCorpus {
    private TextCorpus() {}

    static List<String> texts(long seed, int count, int approximateBytes) {
        Random random = new Random(seed);
        List<String> vocabulary = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            StringBuilder word = new StringBuilder();
            int length = 3 + random.nextInt(7);
            for (int c = 0; c < length; c++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            vocabulary.add(word.toString());
        }
        List<String> texts = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            StringBuilder text = new StringBuilder(approximateBytes + 64);
            while (text.length() < approximateBytes) {
                int words = 8 + random.nextInt(10);
                for (int w = 0; w < words; w++) {
                    String word = vocabulary.get(random.nextInt(vocabulary.size()));
                    text.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                    text.append(w == words - 1 ? ". " : " ");
                }
            }
            texts.add(text.toString().strip());
        }
        return texts;
    }
}
