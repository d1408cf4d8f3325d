package io.synthstream.evaluator.embedding;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Computes embeddings off the stream threads: a small fixed pool of daemon threads (one ONNX
 * session thread each) behind {@link #submit}, whose futures the evaluator's drain punctuator
 * polls. One instance per app instance, shared by its tasks.
 */
public final class Embeddings implements AutoCloseable {
    private final Embedder embedder;
    private final ExecutorService pool;

    public Embeddings(Embedder embedder, int threads) {
        this.embedder = embedder;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-embed-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public String name() {
        return embedder.name();
    }

    /** The unit-length embedding of {@code text}, computed on the pool. */
    public CompletableFuture<float[]> submit(String text) {
        return CompletableFuture.supplyAsync(() -> embedder.embed(text), pool);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        embedder.close();
    }
}
