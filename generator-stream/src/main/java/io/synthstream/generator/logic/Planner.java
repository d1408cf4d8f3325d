package io.synthstream.generator.logic;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRef;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.task.AttributeSpace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Dataset-wise decomposition: condition tuple number {@code i} of a request is a pure
 * function of the request, {@code i} and the steering in force, so planning needs no random state
 * in its cursor and a restart re-plans exactly the same tuples.
 *
 * <ul>
 *   <li>{@code conditions} given: tuple i is {@code conditions[i mod n]}.
 *   <li>{@code sampling_mode=weighted} (default): each attribute's value drawn with probability
 *       proportional to its weight, from a generator seeded by (seed, i, attribute); a dependent
 *       attribute ({@code depends_on}) is drawn after its parent, from the parent value's list.
 *       Steering weights for the dataset, when present, replace the request's weights.
 *   <li>{@code sampling_mode=balanced}: every combination of attribute values once, in a seeded
 *       order, before any repeats (each cycle uses a different affine permutation of the cells).
 * </ul>
 *
 * Classification requests without a {@code label} attribute get one over the label set, uniform.
 * Demonstrations: {@code fixed} (the first k examples), {@code random} (k seeded per tuple),
 * {@code stratified} (round-robin over labels, the tuple's own label first), {@code exemplar} (the
 * steering's exemplar pool, preferring the tuple's label; the request's examples until a pool
 * exists).
 */
public final class Planner {
    public static final List<String> SAMPLING_MODES = List.of("weighted", "balanced");
    public static final List<String> DEMONSTRATION_STRATEGIES = List.of("fixed", "random", "stratified", "exemplar");

    private Planner() {}

    /** Tuple {@code index} of {@code request}; {@code steering} may be null. */
    public static ConditionTuple plan(GenerationRequest request, long index, SteeringUpdate steering, Instant now) {
        return plan(request, index, steering, now, null);
    }

    /**
     * Tuple {@code index} of a seeded request, planned from {@code seed} (a seed or one of its
     * chunks): its attributes are sampled as usual unless {@code seeds.cross_attributes} is off.
     */
    public static ConditionTuple plan(
            GenerationRequest request, long index, SteeringUpdate steering, Instant now, SeedRef seed) {
        boolean sampled = seed == null || request.getSeeds().getCrossAttributes();
        Map<String, String> attributes = sampled ? attributes(request, index, steering) : new TreeMap<>();
        return ConditionTuple.newBuilder()
                .setConditionId(Ids.conditionId(request.getRequestId(), index))
                .setRequestId(request.getRequestId())
                .setDataset(request.getDataset())
                .setConditionIndex(index)
                .setAttributes(attributes)
                .setSamples(1)
                .setOutputs(Evolutions.outputs(request))
                .setSelfInstructRound(SelfInstruct.of(request))
                .setDemonstrations(demonstrations(request, index, attributes.get("label"), steering))
                .setSteeringVersion(sampled && steers(request, steering) ? steering.getVersion() : null)
                .setPlannedAt(now)
                .setSeed(seed)
                .build();
    }

    /**
     * Whether {@code steering} shapes the tuples of {@code request}: its weights in weighted mode,
     * or its exemplar pool as demonstrations. Balanced mode and explicit conditions take no
     * weights (a tuple's {@code steering_version} is null when nothing of the update applied).
     */
    public static boolean steers(GenerationRequest request, SteeringUpdate steering) {
        if (steering == null) {
            return false;
        }
        boolean weights = !steering.getAttributeWeights().isEmpty()
                && "weighted".equals(request.getSamplingMode())
                && (request.getConditions() == null || request.getConditions().isEmpty());
        boolean exemplars = "exemplar".equals(request.getDemonstrationStrategy())
                && request.getDemonstrations() > 0
                && !steering.getExemplars().isEmpty();
        return weights || exemplars;
    }

    static Map<String, String> attributes(GenerationRequest request, long index, SteeringUpdate steering) {
        if (request.getConditions() != null && !request.getConditions().isEmpty()) {
            List<Map<String, String>> explicit = request.getConditions();
            return new TreeMap<>(explicit.get((int) (index % explicit.size())));
        }
        List<Attribute> space = AttributeSpace.of(request);
        Map<String, String> chosen = new LinkedHashMap<>();
        if ("balanced".equals(request.getSamplingMode())) {
            long cells = 1;
            for (Attribute a : space) {
                cells = Math.multiplyExact(cells, a.getValues().size());
            }
            long cycle = index / cells;
            long position = permute(index % cells, cells, request.getSeed() * 31 + cycle);
            for (Attribute a : space) {
                int n = a.getValues().size();
                chosen.put(a.getName(), a.getValues().get((int) (position % n)).getValue());
                position /= n;
            }
            return chosen;
        }
        List<Attribute> ordered = AttributeSpace.ordered(request);
        for (int ai = 0; ai < ordered.size(); ai++) {
            Attribute a = ordered.get(ai);
            SplittableRandom random = new SplittableRandom(mix(request.getSeed(), index, ai));
            chosen.put(
                    a.getName(),
                    weightedPick(AttributeSpace.valuesFor(a, chosen), steeringWeights(steering, a.getName()), random));
        }
        return chosen;
    }

    private static Map<String, Double> steeringWeights(SteeringUpdate steering, String attribute) {
        return steering == null ? null : steering.getAttributeWeights().get(attribute);
    }

    private static String weightedPick(
            List<AttributeValue> values, Map<String, Double> override, SplittableRandom random) {
        double total = 0;
        double[] weights = new double[values.size()];
        for (int i = 0; i < weights.length; i++) {
            AttributeValue v = values.get(i);
            Double w = override == null ? null : override.get(v.getValue());
            weights[i] = Math.max(0, w == null ? v.getWeight() : w);
            total += weights[i];
        }
        if (total <= 0) {
            return values.get(random.nextInt(weights.length)).getValue();
        }
        double roll = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return values.get(i).getValue();
            }
        }
        return values.get(weights.length - 1).getValue();
    }

    /** A seeded bijection of [0, n): x -> (a*x + b) mod n with a coprime to n. */
    static long permute(long x, long n, long seed) {
        if (n <= 1) {
            return 0;
        }
        SplittableRandom random = new SplittableRandom(mix(seed, n, 7));
        long a = 1 + random.nextLong(n - 1 > 0 ? n - 1 : 1);
        while (gcd(a, n) != 1) {
            a = a % (n - 1) + 1;
        }
        long b = random.nextLong(n);
        return (mulMod(a, x, n) + b) % n;
    }

    private static long mulMod(long a, long b, long m) {
        if (Math.multiplyHigh(a, b) == 0 && a * b >= 0) {
            return (a * b) % m;
        }
        return java.math.BigInteger.valueOf(a)
                .multiply(java.math.BigInteger.valueOf(b))
                .mod(java.math.BigInteger.valueOf(m))
                .longValue();
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    static List<Example> demonstrations(GenerationRequest request, long index, String label, SteeringUpdate steering) {
        int k = request.getDemonstrations();
        if (k <= 0) {
            return List.of();
        }
        String strategy = request.getDemonstrationStrategy();
        List<Example> pool = request.getExamples();
        if ("exemplar".equals(strategy)
                && steering != null
                && !steering.getExemplars().isEmpty()) {
            pool = steering.getExemplars();
        }
        if (pool.isEmpty()) {
            return List.of();
        }
        SplittableRandom random = new SplittableRandom(mix(request.getSeed(), index, -1));
        return switch (strategy) {
            case "random" -> sample(pool, k, random);
            case "stratified" -> stratified(pool, k, label, random);
            case "exemplar" -> {
                List<Example> same = new ArrayList<>();
                List<Example> other = new ArrayList<>();
                for (Example e : pool) {
                    (label != null && label.equals(labelOf(e)) ? same : other).add(e);
                }
                List<Example> picked = new ArrayList<>(sample(same, k, random));
                picked.addAll(sample(other, k - picked.size(), random));
                yield picked;
            }
            default -> pool.subList(0, Math.min(k, pool.size()));
        };
    }

    private static List<Example> stratified(List<Example> pool, int k, String label, SplittableRandom random) {
        Map<String, List<Example>> byLabel = new TreeMap<>();
        for (Example e : pool) {
            byLabel.computeIfAbsent(String.valueOf(labelOf(e)), x -> new ArrayList<>())
                    .add(e);
        }
        List<String> order = new ArrayList<>(byLabel.keySet());
        order.sort(Comparator.comparing((String l) -> !l.equals(label)));
        List<List<Example>> shuffled = new ArrayList<>();
        for (String l : order) {
            shuffled.add(sample(byLabel.get(l), byLabel.get(l).size(), random));
        }
        List<Example> picked = new ArrayList<>();
        for (int round = 0; picked.size() < k; round++) {
            boolean any = false;
            for (List<Example> group : shuffled) {
                if (round < group.size() && picked.size() < k) {
                    picked.add(group.get(round));
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return picked;
    }

    private static List<Example> sample(List<Example> pool, int k, SplittableRandom random) {
        List<Example> copy = new ArrayList<>(pool);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Example t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return copy.subList(0, Math.max(0, Math.min(k, copy.size())));
    }

    static String labelOf(Example e) {
        String label = e.getFields().get("label");
        return label != null ? label : e.getAttributes().get("label");
    }

    static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
