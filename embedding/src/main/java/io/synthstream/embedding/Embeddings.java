package io.synthstream.embedding;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Computes embeddings off the stream threads: a small fixed pool of daemon threads (one ONNX
 * session thread each) behind {@link #submit}, whose futures the stages' drain punctuators poll.
 * One instance per app instance, shared by its tasks. The embedder is made on the pool's first
 * call (loading the in-process model takes about a second), so an app that never embeds never
 * loads it; a failure to make it fails that call and is tried again on the next.
 */
public final class Embeddings implements AutoCloseable {
    /**
     * Texts queued or in work per thread from which the pool counts as {@link #saturated}: enough
     * to keep every thread busy between two drains, few enough to hold little heap (about 1 KB of
     * text each); a backlog beyond them waits, deferred, in the submitting stage's store.
     */
    public static final int MAX_QUEUED_PER_THREAD = 128;

    private final Supplier<? extends Embedder> factory;
    private final String name;
    private final int dimension;
    private final ExecutorService pool;
    private final AtomicInteger learned = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final int maxQueued;
    private volatile Embedder embedder;

    /** A pool around an embedder that exists already. */
    public Embeddings(Embedder embedder, int threads) {
        this(() -> embedder, embedder.name(), 0, threads);
    }

    /**
     * @param factory makes the embedder, on the pool's first call
     * @param name the embedder's name (recorded with the vectors it makes)
     * @param dimension the dimensions every vector must have, or 0 for any
     */
    public Embeddings(Supplier<? extends Embedder> factory, String name, int dimension, int threads) {
        this.factory = factory;
        this.name = name;
        this.dimension = dimension;
        this.maxQueued = threads * MAX_QUEUED_PER_THREAD;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-embed-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String name() {
        return name;
    }

    /** The dimensions every vector must have, or 0 when the first vector decides. */
    public int dimension() {
        return dimension;
    }

    /**
     * The size a vector must have, given one of {@code received} dimensions: the configured one,
     * else the first size this pool's caller received (so a model that changes behind an endpoint
     * shows as a mismatch for the rest of the instance's life).
     */
    public int expectedDimension(int received) {
        if (dimension > 0) {
            return dimension;
        }
        learned.compareAndSet(0, received);
        return learned.get();
    }

    /** The unit-length embedding of {@code text}, computed on the pool. */
    public CompletableFuture<float[]> submit(String text) {
        queued.incrementAndGet();
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return embedder().embed(text);
                    } finally {
                        queued.decrementAndGet();
                    }
                },
                pool);
    }

    /**
     * Whether {@link #MAX_QUEUED_PER_THREAD} texts per thread are queued or in work: the stages
     * that submit here defer new records while it is ({@code AsyncStage.Setup#pausedWhile}).
     */
    public boolean saturated() {
        return queued.get() >= maxQueued;
    }

    /** Texts queued or in work. */
    public int queued() {
        return queued.get();
    }

    private Embedder embedder() {
        Embedder made = embedder;
        if (made == null) {
            synchronized (this) {
                made = embedder;
                if (made == null) {
                    made = factory.get();
                    embedder = made;
                }
            }
        }
        return made;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        Embedder made = embedder;
        if (made != null) {
            made.close();
        }
    }
}
