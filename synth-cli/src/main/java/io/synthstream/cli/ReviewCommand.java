package io.synthstream.cli;

import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.ReviewDecisions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth review [DATASET]}: the review queue in the terminal, one sample at a time, for people
 * on a server without a browser. Each sample is shown with its conditions, fields, scores, the
 * judge's rationale, the suggested label and why the gate sent it; the reviewer accepts, rejects
 * with a reason, relabels or edits a field. Decisions are the {@code ReviewDecision} records the
 * evaluator applies exactly once (docs/quality.md#review); each is checked here first with the
 * evaluator's own rules ({@link ReviewDecisions#problems}), so a wrong label or field is refused on
 * the spot with the reason, and nothing is published.
 */
@Command(
        name = "review",
        mixinStandardHelpOptions = true,
        description = "Review the samples the quality gate sent to review: accept, reject, relabel or edit, one at"
                + " a time.")
final class ReviewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET", description = "Only this dataset's samples.")
    String dataset;

    @Option(names = "--request", paramLabel = "ID", description = "Only this request's samples.")
    String requestId;

    @Option(names = "--reviewer", paramLabel = "NAME", description = "Who decides (default: $USER, else 'terminal').")
    String reviewer;

    @Option(names = "--list", description = "Print the queue (size, oldest, each sample's reasons) and exit.")
    boolean list;

    /** Where answers come from; stdin unless a test sets it. */
    BufferedReader input;

    /** What is waiting for a decision, oldest first. */
    record Queue(List<ReviewRequest> pending) {
        Duration oldest(Instant now) {
            return pending.isEmpty()
                    ? Duration.ZERO
                    : Duration.between(pending.get(0).getRequestedAt(), now);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        Queue queue = queue(cluster, dataset, requestId, now);
        out.printf(
                "%d sample(s) waiting for review%s; oldest waiting %s%n",
                queue.pending().size(),
                dataset == null ? "" : " in " + ReportCommand.printable(dataset),
                human(queue.oldest(now)));
        if (list) {
            for (ReviewRequest r : queue.pending()) {
                out.printf(
                        "  %s  %s  %s  waiting %s  (%s)%n",
                        r.getSampleId(),
                        ReportCommand.printable(r.getDataset()),
                        ReportCommand.printable(r.getRequestId()),
                        human(Duration.between(r.getRequestedAt(), now)),
                        ReportCommand.printable(String.join(", ", r.getReasons())));
            }
            out.flush();
            return 0;
        }
        BufferedReader in =
                input != null ? input : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String who = reviewer != null && !reviewer.isBlank() ? reviewer : cluster.env.getOrDefault("USER", "terminal");
        int decided = 0;
        int skipped = 0;
        int position = 0;
        for (ReviewRequest review : queue.pending()) {
            position++;
            show(out, review, position, queue.pending().size(), now);
            ReviewDecision decision = ask(out, in, review, who);
            if (decision == null) {
                break;
            }
            if (decision.getAction().isEmpty()) {
                skipped++;
                continue;
            }
            SubmitCommand.publishOne(cluster, Topics.REVIEW_DECISIONS, review.getSampleId(), decision);
            decided++;
            out.printf("  -> %s sent%n", decision.getAction());
        }
        out.printf(
                "%d decided, %d skipped, %d left in the queue%n",
                decided, skipped, queue.pending().size() - decided);
        out.flush();
        return 0;
    }

    /**
     * The samples waiting: the latest {@code synth.review} record of each sample with no decision
     * published after it (Avro on {@code synth.review.decisions} or JSON on {@code
     * synth.review.decisions.json}) that the evaluator would apply, and whose deadline has not passed (then the
     * request's {@code review_timeout_action} decides).
     */
    static Queue queue(ClusterOptions cluster, String dataset, String requestId, Instant now) {
        Map<String, ReviewRequest> reviews = new java.util.LinkedHashMap<>();
        for (var r : TopicTail.readAll(cluster, Topics.REVIEW)) {
            if (r.value() != null) {
                reviews.put(r.key(), r.value());
            }
        }
        Map<String, Instant> decided = new HashMap<>();
        List<Map.Entry<String, ReviewDecision>> decisions = new ArrayList<>();
        for (var r : TopicTail.readAll(cluster, Topics.REVIEW_DECISIONS)) {
            decisions.add(Map.entry(r.key(), r.value()));
        }
        for (var r : TopicTail.readAll(cluster, Topics.REVIEW_DECISIONS_JSON)) {
            ReviewDecision decision = r.value() == null
                    ? null
                    : ReviewDecisions.fromJson(
                                    r.value().getBytes(StandardCharsets.UTF_8),
                                    Instant.ofEpochMilli(r.timestamp()),
                                    null)
                            .decision();
            decisions.add(Map.entry(r.key() == null ? "" : r.key(), decision));
        }
        for (var d : decisions) {
            ReviewRequest review = reviews.get(d.getKey());
            if (d.getValue() != null
                    && review != null
                    && ReviewDecisions.problems(d.getKey(), d.getValue(), review)
                            .isEmpty()) {
                decided.merge(d.getKey(), d.getValue().getDecidedAt(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<ReviewRequest> pending = new ArrayList<>();
        for (ReviewRequest review : reviews.values()) {
            Instant decision = decided.get(review.getSampleId());
            boolean open = decision == null || decision.isBefore(review.getRequestedAt());
            if (open
                    && review.getDeadline().isAfter(now)
                    && (dataset == null || dataset.equals(review.getDataset()))
                    && (requestId == null || requestId.equals(review.getRequestId()))) {
                pending.add(review);
            }
        }
        pending.sort(Comparator.comparing(ReviewRequest::getRequestedAt).thenComparing(ReviewRequest::getSampleId));
        return new Queue(pending);
    }

    /** The sample as the review page shows it ({@link ReviewApi#item}), as plain text. */
    private static void show(PrintWriter out, ReviewRequest review, int position, int total, Instant now) {
        var item = ReviewApi.item(review, now);
        out.printf(
                "%n[%d/%d] sample %s  request %s  dataset %s  waiting %s%n",
                position,
                total,
                review.getSampleId(),
                ReportCommand.printable(review.getRequestId()),
                ReportCommand.printable(review.getDataset()),
                human(Duration.ofSeconds(item.get("waiting_seconds").asLong())));
        line(out, "why in review", String.join(", ", review.getReasons()));
        if (item.has("blind")) {
            line(out, "audit", item.get("blind").asText());
        }
        item.get("conditions")
                .fields()
                .forEachRemaining(
                        e -> line(out, "condition " + e.getKey(), e.getValue().asText()));
        item.get("fields")
                .fields()
                .forEachRemaining(e -> line(out, e.getKey(), e.getValue().asText()));
        if (item.hasNonNull("original_label") && !item.get("original_label").equals(item.get("label"))) {
            line(out, "generated label", item.get("original_label").asText());
        }
        if (item.has("judge_score")) {
            line(
                    out,
                    "judge",
                    item.get("judge_score").asText() + "  "
                            + item.path("judge_rationale").asText(""));
        }
        if (item.has("condition_adherence")) {
            line(
                    out,
                    "condition adherence",
                    String.format("%.2f", item.get("condition_adherence").asDouble()));
        }
        if (item.has("suggested_label")) {
            line(
                    out,
                    "suggested label",
                    item.get("suggested_label").asText() + " by "
                            + item.path("suggested_by").asText("")
                            + (item.has("label_confidence")
                                    ? String.format(
                                            " (confidence %.2f)",
                                            item.get("label_confidence").asDouble())
                                    : ""));
        }
        out.flush();
    }

    /** One line of a sample; everything from Kafka with its control characters shown as {@code ?}. */
    private static void line(PrintWriter out, String name, String value) {
        out.printf("  %s: %s%n", ReportCommand.printable(name), ReportCommand.printable(value));
    }

    /**
     * The reviewer's decision on {@code review}: asked until it is one the evaluator would apply; an
     * empty action for a skip; {@code null} to quit (or at the end of the input).
     */
    private static ReviewDecision ask(PrintWriter out, BufferedReader in, ReviewRequest review, String who)
            throws IOException {
        while (true) {
            out.print("  [a]ccept  [r]eject  re[l]abel  [e]dit  [s]kip  [q]uit > ");
            out.flush();
            String answer = in.readLine();
            if (answer == null) {
                return null;
            }
            ReviewDecision.Builder decision = ReviewDecision.newBuilder()
                    .setSampleId(review.getSampleId())
                    .setReviewer(who)
                    .setReason(null)
                    .setLabel(null)
                    .setFields(Map.of())
                    .setDecidedAt(Instant.now());
            switch (answer.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "a", "accept" -> decision.setAction(ReviewDecisions.ACCEPT);
                case "r", "reject" -> {
                    String reason = prompt(out, in, "  reason > ");
                    if (reason == null) {
                        return null;
                    }
                    decision.setAction(ReviewDecisions.REJECT).setReason(reason);
                }
                case "l", "relabel" -> {
                    List<String> labels = review.getLabels();
                    for (int i = 0; i < labels.size(); i++) {
                        out.printf("    %d) %s%n", i + 1, ReportCommand.printable(labels.get(i)));
                    }
                    String label = prompt(out, in, "  label (number or name) > ");
                    if (label == null) {
                        return null;
                    }
                    decision.setAction(ReviewDecisions.RELABEL).setLabel(choice(labels, label));
                }
                case "e", "edit" -> {
                    String field = prompt(
                            out,
                            in,
                            "  field " + review.getCandidate().getFields().keySet() + " > ");
                    String value = field == null ? null : prompt(out, in, "  new value > ");
                    if (value == null) {
                        return null;
                    }
                    decision.setAction(ReviewDecisions.EDIT).setFields(Map.of(field, value));
                }
                case "s", "skip", "" -> {
                    return decision.setAction("").build();
                }
                case "q", "quit" -> {
                    return null;
                }
                default -> {
                    out.printf("  '%s' is not an action%n", ReportCommand.printable(answer.strip()));
                    continue;
                }
            }
            ReviewDecision built = decision.build();
            List<String> problems = ReviewDecisions.problems(review.getSampleId(), built, review);
            if (problems.isEmpty()) {
                return built;
            }
            out.printf("  refused, nothing sent: %s%n", ReportCommand.printable(String.join("; ", problems)));
        }
    }

    private static String prompt(PrintWriter out, BufferedReader in, String question) throws IOException {
        out.print(question);
        out.flush();
        String line = in.readLine();
        return line == null ? null : line.strip();
    }

    /** A label by its number in the list shown, or by name. */
    private static String choice(List<String> labels, String answer) {
        try {
            int n = Integer.parseInt(answer);
            if (n >= 1 && n <= labels.size()) {
                return labels.get(n - 1);
            }
        } catch (NumberFormatException e) {
            // a name
        }
        return answer;
    }

    private static String human(Duration d) {
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return d.toSeconds() + " s";
    }
}
