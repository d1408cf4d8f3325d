package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.VoteTally;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Suppliers of the curator's processors, each carrying the state store it owns ({@link
 * ProcessorSupplier#stores()}), so the topology never wires a store by hand. Every {@code get()}
 * returns a new processor.
 */
public final class CuratorProcessors {
    private final String app;
    private final Duration specWait;
    private final Clock clock;
    private final int partitions;
    private final CuratorStores stores;
    private final Serde<Sample> samples;
    private final Serde<BandClaim> claims;
    private final Serde<VoteTally> tallies;

    public CuratorProcessors(
            String app,
            Duration specWait,
            Clock clock,
            int partitions,
            CuratorStores stores,
            Serde<Sample> samples,
            Serde<BandClaim> claims,
            Serde<VoteTally> tallies) {
        this.app = app;
        this.specWait = specWait;
        this.clock = clock;
        this.partitions = partitions;
        this.stores = stores;
        this.samples = samples;
        this.claims = claims;
        this.tallies = tallies;
    }

    public ProcessorSupplier<String, Sample, String, Outcome> screening() {
        return supplier(() -> new ScreeningProcessor(app, specWait, clock), Set.of(stores.awaitingSpec(samples)));
    }

    public ProcessorSupplier<String, Sample, String, Outcome> exactDedup() {
        return supplier(() -> new ExactDedupProcessor(clock), Set.of(stores.exactSeen()));
    }

    public ProcessorSupplier<String, Sample, String, Outcome> nearClaims() {
        return supplier(() -> new NearClaimProcessor(clock, partitions), Set.of());
    }

    public ProcessorSupplier<String, BandClaim, String, BandVote> bandOwner() {
        return supplier(BandOwnerProcessor::new, Set.of(stores.bandOwners(claims), stores.bandSignatures()));
    }

    public ProcessorSupplier<String, CollectorInput, String, Outcome> voteCollector() {
        return supplier(
                () -> new VoteCollectorProcessor(clock),
                Set.of(stores.nearPending(samples), stores.nearTallies(tallies)));
    }

    private static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> supplier(
            Supplier<Processor<KIn, VIn, KOut, VOut>> factory, Set<StoreBuilder<?>> storeBuilders) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<KIn, VIn, KOut, VOut> get() {
                return factory.get();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return storeBuilders;
            }
        };
    }
}
