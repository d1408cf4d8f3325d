package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.synthstream.avro.Spend;
import io.synthstream.common.config.SynthConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {
    @TempDir
    Path dir;

    @Test
    void aModelIsPricedByItsNameItsSnapshotOrItsNameBehindAGatewayPrefix() {
        PriceTable prices = PriceTable.builtIn();

        assertThat(prices.price("gpt-4o-mini")).contains(new PriceTable.Price(0.15, 0.60));
        assertThat(prices.price("GPT-4o-mini-2024-07-18")).contains(new PriceTable.Price(0.15, 0.60));
        assertThat(prices.price("gpt-4o-2024-08-06")).contains(new PriceTable.Price(2.50, 10.00));
        assertThat(prices.price("openai/gpt-4.1-nano")).contains(new PriceTable.Price(0.10, 0.40));
        assertThat(prices.price(SimulatedProvider.MODEL)).contains(new PriceTable.Price(0, 0));
        assertThat(prices.price("meta-llama/Llama-3.1-8B-Instruct")).isEmpty();
        assertThat(prices.price("gpt-4o-minimal"))
                .as("a snapshot extends a name with -")
                .isEmpty();
        assertThat(prices.price(null)).isEmpty();
    }

    @Test
    void aReplyCostsItsTokensAtItsModelsPricesAndAnUnlistedModelIsUnpriced() {
        PriceTable prices = PriceTable.builtIn();

        Spend priced = prices.spend(new LlmResponse("x", "stop", "gpt-4o", 2_000_000, 100_000, 1), null);
        Spend asked = prices.spend(new LlmResponse("x", "stop", "", 1_000_000, 0, 1), "gpt-4o-mini");
        Spend unpriced = prices.spend(new LlmResponse("x", "stop", "my-llama", 300, 50, 1, true), null);

        assertThat(priced.getCostUsd()).isCloseTo(2 * 2.50 + 0.1 * 10.00, within(1e-9));
        assertThat(priced.getUnpricedTokens()).isZero();
        assertThat(priced.getEstimatedTokens()).isZero();
        assertThat(asked.getCostUsd())
                .as("a reply naming no model is priced as asked")
                .isCloseTo(0.15, within(1e-9));
        assertThat(unpriced.getCostUsd()).isZero();
        assertThat(unpriced.getUnpricedTokens()).isEqualTo(350);
        assertThat(unpriced.getEstimatedTokens()).isEqualTo(350);
        assertThat(Spends.plus(priced, unpriced).getCalls()).isEqualTo(2);
        assertThat(Spends.plus(null, null)).isNull();
    }

    @Test
    void aFileAddsAndReplacesRowsOfTheBuiltInTable() throws IOException {
        Path file = Files.writeString(
                dir.resolve("prices.csv"),
                "# self-hosted\nmeta-llama/llama-3.1-8b-instruct,0,0\n\ngpt-4o-mini, 0.5 , 1.5\n");

        PriceTable prices = PriceTable.withFile(file);

        assertThat(prices.price("meta-llama/Llama-3.1-8B-Instruct")).contains(new PriceTable.Price(0, 0));
        assertThat(prices.price("gpt-4o-mini-2024-07-18")).contains(new PriceTable.Price(0.5, 1.5));
        assertThat(prices.price("gpt-4o")).as("untouched rows stay").contains(new PriceTable.Price(2.50, 10.00));
    }

    @Test
    void aBadRowIsRefusedNamingTheFileTheLineAndTheEntry() throws IOException {
        assertThatThrownBy(() -> PriceTable.withFile(Files.writeString(dir.resolve("a.csv"), "ok,1,2\nmine,-1,2\n")))
                .hasMessageContaining("a.csv line 2 (mine,-1,2)")
                .hasMessageContaining("input price must be a finite number >= 0");
        assertThatThrownBy(() -> PriceTable.withFile(Files.writeString(dir.resolve("b.csv"), "mine,1,cheap\n")))
                .hasMessageContaining("b.csv line 1 (mine,1,cheap)")
                .hasMessageContaining("output price is not a number");
        assertThatThrownBy(() -> PriceTable.withFile(Files.writeString(dir.resolve("c.csv"), "mine,1\n")))
                .hasMessageContaining("expected model,input_usd_per_million,output_usd_per_million");
        assertThatThrownBy(() -> PriceTable.withFile(Files.writeString(dir.resolve("d.csv"), "mine,NaN,1\n")))
                .hasMessageContaining("finite number >= 0");
        assertThatThrownBy(() -> PriceTable.withFile(dir.resolve("missing.csv")))
                .hasMessageContaining("Cannot read the price table");
    }

    @Test
    void theSettingLoadsTheFileAndABadOneStopsStartUp() throws IOException {
        Path good = Files.writeString(dir.resolve("good.csv"), "house-model,1,2\n");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "house-model,1,-2\n");

        assertThat(LlmSettings.prices(config(Map.of())).price("house-model")).isEmpty();
        assertThat(LlmSettings.prices(config(Map.of(LlmSettings.PRICES.key(), good.toString())))
                        .price("house-model"))
                .contains(new PriceTable.Price(1, 2));
        assertThatThrownBy(() -> LlmSettings.runtime(config(Map.of(LlmSettings.PRICES.key(), bad.toString()))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("llm.prices")
                .hasMessageContaining("line 1 (house-model,1,-2)");
    }

    private static SynthConfig config(Map<String, Object> props) {
        return new SynthConfig(LlmSettings.define(new ConfigDef()), props);
    }
}
