package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.generator.config.GeneratorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The docker-compose deployment checked as far as this machine can without Docker: every service is
 * there, each app runs a real main class with only settings it defines, the apps reach Kafka and
 * the registry on the ports those services listen on, Prometheus scrapes each app on its HTTP
 * port by service name (so scaling needs no change), and Grafana's dashboard queries only meters
 * the apps export.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final Map<String, ConfigDef> APPS = Map.of(
            "generator-stream", GeneratorConfig.definition(),
            "curator-stream", SynthConfig.baseDefinition(),
            "evaluator-stream", EvaluatorConfig.definition());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String path) throws Exception {
        return (Map<String, Object>) new Yaml().load(Files.readString(ROOT.resolve(path)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @Test
    void composeHasEveryServiceAndEachAppIsWiredToKafkaTheRegistryAndPrometheus() throws Exception {
        Map<String, Object> services = map(yaml("docker-compose.yml").get("services"));
        assertThat(services)
                .containsKeys(
                        "kafka",
                        "schema-registry",
                        "topic-init",
                        "generator-stream",
                        "curator-stream",
                        "evaluator-stream",
                        "prometheus",
                        "grafana");
        Map<String, Object> kafkaEnv = map(map(services.get("kafka")).get("environment"));
        String plaintext = Arrays.stream(
                        kafkaEnv.get("KAFKA_LISTENERS").toString().split(","))
                .filter(l -> l.startsWith("PLAINTEXT://"))
                .findFirst()
                .orElseThrow();
        String kafkaAddress = "kafka" + plaintext.substring(plaintext.lastIndexOf(':'));
        String registryPort = map(map(services.get("schema-registry")).get("environment"))
                .get("SCHEMA_REGISTRY_LISTENERS")
                .toString()
                .replaceAll(".*:", "");
        Map<String, Integer> scrapePorts = scrapePorts();

        for (Map.Entry<String, ConfigDef> app : APPS.entrySet()) {
            Map<String, Object> service = map(services.get(app.getKey()));
            String main = list(service.get("command")).get(0).toString();
            assertThat(Class.forName(main).getMethod("main", String[].class))
                    .as(main)
                    .isNotNull();
            Map<String, Object> env = map(service.get("environment"));
            Set<String> known = new HashSet<>();
            app.getValue().names().forEach(k -> known.add(SynthConfig.envName(k)));
            assertThat(env.keySet())
                    .as("%s reads only settings it defines", app.getKey())
                    .allMatch(known::contains);
            assertThat(env.get("SYNTH_BOOTSTRAP_SERVERS")).isEqualTo(kafkaAddress);
            assertThat(env.get("SYNTH_SCHEMA_REGISTRY_URL")).isEqualTo("http://schema-registry:" + registryPort);
            assertThat(Integer.parseInt(env.get("SYNTH_HTTP_PORT").toString()))
                    .as("Prometheus scrapes %s on its HTTP port", app.getKey())
                    .isEqualTo(scrapePorts.get(app.getKey()));
            assertThat(service)
                    .as("%s scales: no fixed host port or name", app.getKey())
                    .doesNotContainKeys("ports", "container_name");
            assertThat(map(service.get("depends_on"))).containsKey("topic-init");
            if (!app.getKey().equals("curator-stream")) {
                assertThat(env).containsKeys("SYNTH_LLM_BASE_URL", "SYNTH_LLM_API_KEY", "SYNTH_LLM_MODEL");
            }
        }

        List<Object> init = list(map(services.get("topic-init")).get("command"));
        assertThat(init.get(0)).isEqualTo(SynthCli.class.getName());
        String[] args =
                init.subList(1, init.size()).stream().map(Object::toString).toArray(String[]::new);
        SynthCli.commandLine().parseArgs(args); // throws on an unknown option
        assertThat(args).contains(kafkaAddress);
    }

    @Test
    void theImageBuildsTheJarTheCliModuleShades() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        String pom = Files.readString(ROOT.resolve("synth-cli/pom.xml"));

        assertThat(pom).contains("<finalName>synth</finalName>");
        assertThat(dockerfile).contains("/src/synth-cli/target/synth.jar").contains("-pl synth-cli -am package");
    }

    @Test
    void theAppsRunFromAnImageWithoutTheLocalPlatform() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("deploy/Dockerfile"));
        String apps = dockerfile.substring(dockerfile.indexOf("AS apps"), dockerfile.indexOf("AS cli"));
        Map<String, Object> services = map(yaml("docker-compose.yml").get("services"));

        assertThat(apps).contains("/app/lib/").doesNotContain("synth.jar");
        assertThat(dockerfile).contains("-DincludeScope=runtime");
        for (String app : APPS.keySet()) {
            assertThat(map(map(services.get(app)).get("build")).get("target"))
                    .as("%s runs from the apps image", app)
                    .isEqualTo("apps");
        }
        assertThat(map(map(services.get("topic-init")).get("build")).get("target"))
                .isEqualTo("cli");
    }

    @Test
    void grafanaQueriesOnlyMetersTheAppsExport() throws Exception {
        Map<String, Object> datasources = yaml("deploy/grafana/provisioning/datasources/prometheus.yml");
        assertThat(map(list(datasources.get("datasources")).get(0)).get("url")).isEqualTo("http://prometheus:9090");
        JsonNode dashboard = new ObjectMapper()
                .readTree(ROOT.resolve("deploy/grafana/dashboards/synthstream.json")
                        .toFile());
        List<String> prefixes = new ArrayList<>();
        for (SynthMeters m : SynthMeters.values()) {
            prefixes.add(m.meterName().replace('.', '_'));
        }
        Pattern metric = Pattern.compile("\\b(synth_[a-z_]+|gen_ai_[a-z_]+)(?=[{\\[])");
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    String name = m.group(1);
                    assertThat(prefixes).as(name).anyMatch(name::startsWith);
                    queries++;
                }
            }
        }
        assertThat(queries).isGreaterThan(10);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Integer> scrapePorts() throws Exception {
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (Object job : list(yaml("deploy/prometheus/prometheus.yml").get("scrape_configs"))) {
            Map<String, Object> sd = map(list(map(job).get("dns_sd_configs")).get(0));
            String service = ((List<Object>) sd.get("names")).get(0).toString();
            ports.put(service, (Integer) sd.get("port"));
        }
        return ports;
    }
}
