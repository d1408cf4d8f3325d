package io.synthstream.common.llm;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes {@code llm.requests.per.minute} and {@code llm.tokens.per.minute} limits of the whole
 * deployment of an app: every few seconds it counts the app's live instances in its consumer group
 * (each Kafka Streams instance's consumers are named {@code <client id>-StreamThread-<n>-consumer},
 * so distinct client ids are distinct instances) and gives the {@link CallGate} a 1/n share. Shares
 * move when instances join or leave, within one refresh. Until the first count the gate admits
 * nothing; when the group cannot be read for {@link #GIVE_UP} from the start, each instance holds
 * the whole limit and a warning says the limits hold per instance. Runs on a thread of its own.
 */
public final class ClusterShare implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterShare.class);
    private static final Pattern STREAM_CONSUMER = Pattern.compile("^(.+)-StreamThread-\\d+-consumer$");
    static final Duration GIVE_UP = Duration.ofSeconds(30);

    private final Admin admin;
    private final String group;
    private final CallGate gate;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(OpenAiProvider.daemon("synth-llm-share"));
    private final long startedNanos = System.nanoTime();
    private volatile int instances;
    private boolean warned;

    /**
     * @param kafka the app's Kafka client properties
     * @param group the app's consumer group: its {@code application.id}
     * @param refresh how often the group is read
     */
    public ClusterShare(Map<String, Object> kafka, String group, CallGate gate, Duration refresh) {
        this.admin = Admin.create(kafka);
        this.group = group;
        this.gate = gate;
        gate.awaitShare();
        timer.scheduleWithFixedDelay(this::refresh, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The instances counted last (0 before the first count). */
    public int instances() {
        return instances;
    }

    /** The distinct instances among a group's members. */
    static int count(List<String> clientIds) {
        Set<String> distinct = new HashSet<>();
        for (String id : clientIds) {
            Matcher m = STREAM_CONSUMER.matcher(id);
            distinct.add(m.matches() ? m.group(1) : id);
        }
        return distinct.size();
    }

    private void refresh() {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(10, TimeUnit.SECONDS);
            int n = count(description.members().stream()
                    .map(MemberDescription::clientId)
                    .toList());
            if (n == 0) { // not joined yet: calls cannot have started either
                if (instances == 0 && System.nanoTime() - startedNanos > GIVE_UP.toNanos()) {
                    instances = 1;
                    gate.setInstances(1);
                    log.warn(
                            "No member of {} after {} s; the LLM rate limits hold per instance",
                            group,
                            GIVE_UP.toSeconds());
                }
                return;
            }
            if (n != instances) {
                log.info(
                        "LLM rate limits of {}: {} live instance(s) share llm.requests.per.minute and"
                                + " llm.tokens.per.minute; this one takes 1/{}",
                        group,
                        n,
                        n);
            }
            instances = n;
            warned = false;
            gate.setInstances(n);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            if (instances == 0 && System.nanoTime() - startedNanos > GIVE_UP.toNanos()) {
                instances = 1;
                gate.setInstances(1);
            }
            if (!warned) {
                warned = true;
                log.warn(
                        "Cannot read the members of {} ({}); the LLM rate limits keep their last share{}",
                        group,
                        e.getMessage(),
                        instances <= 1 ? " and hold per instance" : "");
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
