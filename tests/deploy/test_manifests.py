"""Deployment files checked offline against their official schemas (the Compose specification's JSON schema, as
vendored by check-jsonschema; Kubernetes' OpenAPI schemas, as bundled by kubernetes-validate), plus the
properties this project promises: replicas, probes, limits, non-root, read-only root filesystem, and the reminder
clock run as a service of its own beside web instances that run none."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import check_jsonschema
import jsonschema
import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
COMPOSE_SCHEMA = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "compose-spec.json"


def _documents(path: Path) -> list[dict]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


def _kubernetes_errors(document: dict) -> str | None:
    try:
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)
    except kubernetes_validate.ValidationError as error:
        return str(error)
    return None


@pytest.mark.parametrize("path", sorted(KUBERNETES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_kubernetes_manifest_is_valid(path):
    for document in _documents(path):
        assert _kubernetes_errors(document) is None


def test_the_validator_does_fail_on_a_broken_manifest():
    deployment = _documents(KUBERNETES / "deployment.yaml")[0]
    broken = copy.deepcopy(deployment)
    broken["spec"]["replicas"] = "two"
    assert _kubernetes_errors(broken) is not None


def _by_kind() -> dict[str, dict]:
    return {document["kind"]: document for path in KUBERNETES.glob("*.yaml") for document in _documents(path)
            if document["kind"] != "Deployment"}


def _deployments() -> dict[str, dict]:
    """The Deployments by component (`web`, `clock`)."""
    return {document["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]: document
            for path in KUBERNETES.glob("*.yaml") for document in _documents(path) if document["kind"] == "Deployment"}


def _environment(container: dict) -> dict[str, str]:
    return {variable["name"]: variable["value"] for variable in container.get("env", [])}


def _locked_down(deployment: dict) -> dict:
    """The Deployment's one container, once the properties every pod of ours has are checked."""
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    [container] = pod["containers"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounted = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {"/tmp", "/var/lib/pushback"} <= mounted
    assert container["envFrom"] == [{"secretRef": {"name": "pushback"}}]
    return container


def test_the_deployment_is_replicated_probed_limited_and_locked_down():
    manifests = _by_kind()
    deployments = _deployments()
    assert {"Service", "Secret", "Job", "PodDisruptionBudget"} <= set(manifests)
    assert set(deployments) == {"web", "clock"}
    spec = deployments["web"]["spec"]
    assert spec["replicas"] >= 2
    container = _locked_down(deployments["web"])
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    job = manifests["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["pushback", "db", "upgrade"]
    assert manifests["PodDisruptionBudget"]["spec"]["selector"] == spec["selector"]
    assert manifests["Service"]["spec"]["selector"] == spec["selector"]["matchLabels"]


def test_kubernetes_runs_the_clock_as_its_own_deployment_and_the_web_pods_run_none():
    deployments = _deployments()
    web, clock = _locked_down(deployments["web"]), _locked_down(deployments["clock"])
    assert web["args"] == ["pushback", "run"] and _environment(web)["PUSHBACK_SCHEDULER"] == "off"
    assert clock["image"] == web["image"]
    assert clock["args"] == ["pushback", "clock"] and "PUSHBACK_SCHEDULER" not in _environment(clock)
    assert clock["livenessProbe"]["exec"]["command"] == ["pushback", "clock", "--check"]
    assert "ports" not in clock
    assert deployments["clock"]["spec"]["replicas"] >= 2  # safe: reminders and triages are claimed under leases


def test_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    jsonschema.validate(compose, schema)
    broken = copy.deepcopy(compose)
    broken["services"]["bot"]["depends_on"]["db"]["condition"] = "when_it_feels_like_it"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_compose_starts_the_bot_once_the_database_is_healthy_and_keeps_its_data():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert "pushback-db" in compose["volumes"]
    assert any(str(volume).startswith("pushback-db:") for volume in db["volumes"])
    assert bot["env_file"] and "@db:5432" in bot["environment"]["DATABASE_URL"]


def test_compose_runs_the_clock_as_its_own_service_and_the_bot_runs_none():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    bot, clock = services["bot"], services["clock"]
    assert bot["environment"]["PUSHBACK_SCHEDULER"] == "off"
    assert clock["image"] == bot["image"] and clock["build"] == bot["build"]
    assert clock["command"] == ["pushback", "clock"]
    assert "PUSHBACK_SCHEDULER" not in clock["environment"]
    assert clock["healthcheck"]["test"] == ["CMD", "pushback", "clock", "--check"]
    assert clock["depends_on"]["db"]["condition"] == "service_healthy"
    assert clock["environment"]["DATABASE_URL"] == bot["environment"]["DATABASE_URL"]
    assert clock["read_only"] is True and "/var/lib/pushback" in clock["tmpfs"]
