package io.synthstream.curator.logic;

/** 64-bit mixing functions shared by the shingler and MinHash. */
final class Mix {
    private Mix() {}

    /**
     * The SplitMix64 / MurmurHash3 {@code fmix64} finalizer: a bijection on 64-bit values with full
     * avalanche (every input bit flips each output bit with probability about 1/2).
     */
    static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
