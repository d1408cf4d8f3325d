package io.synthstream.common.streams;

import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Processor suppliers that carry the state stores their processors own ({@link
 * ProcessorSupplier#stores()}), so that a topology never wires a store by hand and a processor
 * cannot be added without its stores.
 */
public final class ProcessorSuppliers {
    private ProcessorSuppliers() {}

    /** A supplier whose every {@code get()} returns a new processor from {@code factory}. */
    public static <KIn, VIn, KOut, VOut> ProcessorSupplier<KIn, VIn, KOut, VOut> owning(
            Set<StoreBuilder<?>> stores, Supplier<Processor<KIn, VIn, KOut, VOut>> factory) {
        Set<StoreBuilder<?>> owned = Set.copyOf(stores);
        return new ProcessorSupplier<>() {
            @Override
            public Processor<KIn, VIn, KOut, VOut> get() {
                return factory.get();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return owned;
            }
        };
    }
}
