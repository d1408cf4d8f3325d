package io.synthstream.common.llm;

import io.synthstream.avro.Spend;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per model, in USD per million input and output tokens: the built-in table ({@code
 * prices.csv} beside this class, list prices of common hosted models) with the rows of the file
 * {@code llm.prices} names added or replacing. A model answers to its exact name (case ignored), to
 * the name after a gateway's {@code vendor/} prefix, or to the longest listed name it extends with
 * {@code -} and a date, a version number, {@code latest} or {@code preview} (a dated snapshot such
 * as {@code gpt-4o-mini-2024-07-18} is priced as {@code gpt-4o-mini}). A model no row names is unpriced: it costs 0 and {@link Spend#getUnpricedTokens}
 * says how many tokens that was.
 */
public final class PriceTable {
    /** One model's prices. */
    public record Price(double inputPerMillion, double outputPerMillion) {
        public double cost(long promptTokens, long completionTokens) {
            return (promptTokens * inputPerMillion + completionTokens * outputPerMillion) / 1_000_000.0;
        }
    }

    private static final String BUILT_IN = "prices.csv";
    /** What follows a listed name in a snapshot of it: a date or version number, latest or preview. */
    private static final java.util.regex.Pattern SNAPSHOT = java.util.regex.Pattern.compile("\\d.*|latest|preview.*");

    private final Map<String, Price> prices;

    private PriceTable(Map<String, Price> prices) {
        this.prices = Collections.unmodifiableMap(prices);
    }

    /** The built-in table. */
    public static PriceTable builtIn() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("The built-in price table " + BUILT_IN + " is missing");
            }
            Map<String, Price> rows = new LinkedHashMap<>();
            read(new InputStreamReader(in, StandardCharsets.UTF_8), BUILT_IN, rows);
            return new PriceTable(rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A table with no prices at all: every token is unpriced. */
    public static PriceTable none() {
        return new PriceTable(Map.of());
    }

    /**
     * The built-in table with the rows of {@code file} added or replacing.
     *
     * @throws IllegalArgumentException naming the file, line and entry when a row is not {@code
     *     model,input,output} with two non-negative numbers, or when the file cannot be read
     */
    public static PriceTable withFile(Path file) {
        Map<String, Price> rows = new LinkedHashMap<>(builtIn().prices);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            read(reader, file.toString(), rows);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the price table " + file + ": " + e.getMessage(), e);
        }
        return new PriceTable(rows);
    }

    private static void read(Reader reader, String source, Map<String, Price> rows) throws IOException {
        BufferedReader lines = new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = lines.readLine()) != null) {
            number++;
            String row = line.strip();
            if (row.isEmpty() || row.startsWith("#")) {
                continue;
            }
            String[] cells = row.split(",", -1);
            String where = source + " line " + number + " (" + abbreviate(row) + ")";
            if (cells.length != 3 || cells[0].isBlank()) {
                throw new IllegalArgumentException(
                        where + ": expected model,input_usd_per_million,output_usd_per_million");
            }
            rows.put(
                    cells[0].strip().toLowerCase(Locale.ROOT),
                    new Price(number(cells[1], "input", where), number(cells[2], "output", where)));
        }
    }

    private static double number(String cell, String which, String where) {
        double value;
        try {
            value = Double.parseDouble(cell.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": the " + which + " price is not a number");
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(where + ": the " + which + " price must be a finite number >= 0");
        }
        return value;
    }

    private static String abbreviate(String row) {
        String printable = row.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }

    /** The model's prices, if the table has them. */
    public Optional<Price> price(String model) {
        return listed(model).map(prices::get);
    }

    /**
     * The table's name for {@code model} ({@code gpt-4o-mini} for {@code gpt-4o-mini-2024-07-18}),
     * if it lists it: a bounded set of names, fit for a metric tag where the model name from a
     * request or a reply is not.
     */
    public Optional<String> listed(String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        String name = model.strip().toLowerCase(Locale.ROOT);
        Optional<String> found = lookup(name);
        int slash = name.lastIndexOf('/');
        return found.isPresent() || slash < 0 ? found : lookup(name.substring(slash + 1));
    }

    private Optional<String> lookup(String name) {
        if (prices.containsKey(name)) {
            return Optional.of(name);
        }
        String best = null;
        for (String listed : prices.keySet()) {
            if (name.startsWith(listed + "-")
                    && SNAPSHOT.matcher(name.substring(listed.length() + 1)).matches()
                    && (best == null || listed.length() > best.length())) {
                best = listed;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The models the table lists, in its order. */
    public java.util.Set<String> models() {
        return prices.keySet();
    }

    /**
     * What one reply cost.
     *
     * @param askedModel the model the call asked for, priced when the reply names none
     */
    public Spend spend(LlmResponse response, String askedModel) {
        long tokens = response.promptTokens() + response.completionTokens();
        Optional<Price> price = price(response.model().isEmpty() ? askedModel : response.model());
        return Spend.newBuilder()
                .setCalls(1)
                .setPromptTokens(response.promptTokens())
                .setCompletionTokens(response.completionTokens())
                .setCostUsd(price.map(p -> p.cost(response.promptTokens(), response.completionTokens()))
                        .orElse(0.0))
                .setEstimatedTokens(response.usageEstimated() ? tokens : 0)
                .setUnpricedTokens(price.isPresent() ? 0 : tokens)
                .build();
    }
}
