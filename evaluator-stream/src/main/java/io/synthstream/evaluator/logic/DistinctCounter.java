package io.synthstream.evaluator.logic;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;

/**
 * Counts distinct 64-bit items: exactly (a hash set) up to a bound, then with a DataSketches HLL
 * sketch ({@code lgK = 12}, relative standard error about 1.6 %) that the exact set is replayed
 * into. Items are 64-bit hashes of n-grams, so "exact" means exact up to hash collisions, which are
 * negligible below billions of items. Serialised size stays below {@code 8 × bound} bytes.
 */
public final class DistinctCounter {
    /** HLL precision: 2^12 registers. */
    public static final int LG_K = 12;

    private static final byte EXACT = 0;
    private static final byte SKETCH = 1;

    private final int bound;
    private Set<Long> exact = new HashSet<>();
    private HllSketch sketch;

    public DistinctCounter(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        this.bound = bound;
    }

    public void add(long item) {
        if (sketch != null) {
            sketch.update(item);
            return;
        }
        exact.add(item);
        if (exact.size() > bound) {
            sketch = new HllSketch(LG_K, TgtHllType.HLL_8);
            exact.forEach(sketch::update);
            exact = null;
        }
    }

    /** The number of distinct items: exact while {@link #isExact()}, else the HLL estimate. */
    public double count() {
        return sketch == null ? exact.size() : sketch.getEstimate();
    }

    public boolean isExact() {
        return sketch == null;
    }

    public ByteBuffer toBytes() {
        if (sketch != null) {
            byte[] compact = sketch.toCompactByteArray();
            return ByteBuffer.allocate(1 + compact.length)
                    .put(SKETCH)
                    .put(compact)
                    .flip();
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 + 8 * exact.size()).put(EXACT);
        exact.forEach(buffer::putLong);
        return buffer.flip();
    }

    public static DistinctCounter fromBytes(ByteBuffer bytes, int bound) {
        DistinctCounter counter = new DistinctCounter(bound);
        ByteBuffer b = bytes.duplicate();
        byte mode = b.get();
        if (mode == SKETCH) {
            byte[] compact = new byte[b.remaining()];
            b.get(compact);
            counter.sketch = HllSketch.heapify(Memory.wrap(compact));
            counter.exact = null;
        } else {
            while (b.remaining() >= 8) {
                counter.add(b.getLong());
            }
        }
        return counter;
    }
}
