"""The deployment examples in deploy/ say what the README says they do: the compose file's services,
ports, health checks and volumes; the Caddyfile's upstreams and health checks; the image's pinned CPU torch;
the systemd unit's restart and hardening. Where caddy, nginx or systemd-analyze is installed, each file
is also checked by the tool itself."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def compose() -> dict[str, object]:
    spec = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert isinstance(spec, dict)
    return spec


def test_compose_runs_two_replicas_a_database_a_proxy_and_an_index_job() -> None:
    services = compose()["services"]
    assert isinstance(services, dict)
    assert set(services) == {"db", "index", "app1", "app2", "caddy"}
    assert services["index"]["command"] == ["policybot", "index"] and services["index"]["restart"] == "no"
    for name in ("app1", "app2"):
        app = services[name]
        assert app["command"][:2] == ["policybot", "serve"] and "0.0.0.0" in app["command"]
        assert app["build"]["dockerfile"] == "deploy/Dockerfile"
        assert app["depends_on"] == {"db": {"condition": "service_healthy"},
                                     "index": {"condition": "service_completed_successfully"}}
        assert "/healthz" in " ".join(app["healthcheck"]["test"])
        env = app["environment"]
        assert env["POLICYBOT_DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["POLICYBOT_DATABASE_URL"]
        assert env["POLICYBOT_SECRET_KEY"].startswith("${POLICYBOT_SECRET_KEY:?")  # one key, required
        assert "ports" not in app  # reached through the proxy only
    volumes = {name: services[name]["volumes"] for name in ("index", "app1", "app2")}
    assert all("index:/srv/policybot/index" in v for v in volumes.values())  # one index for all
    assert {v for v in volumes["app1"] if v.endswith(":/srv/policybot/var")} == {"app1-var:/srv/policybot/var"}
    assert {v for v in volumes["app2"] if v.endswith(":/srv/policybot/var")} == {"app2-var:/srv/policybot/var"}
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["caddy"]["ports"] == ["80:80", "443:443"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]
    trusted = services["app1"]["environment"]["POLICYBOT_TRUSTED_PROXIES"]
    subnet = compose()["networks"]["policybot"]["ipam"]["config"][0]["subnet"]
    assert trusted == subnet  # X-Forwarded-For believed from the proxy's network only


def test_the_caddyfile_balances_over_both_replicas_and_checks_their_health() -> None:
    text = (DEPLOY / "Caddyfile").read_text("utf-8")
    upstreams = re.search(r"reverse_proxy \{\$POLICYBOT_UPSTREAMS:([^}]+)\}", text)
    assert upstreams and upstreams.group(1).split() == ["app1:8000", "app2:8000"]
    for directive in ("health_uri /healthz", "health_status 200", "lb_policy", "lb_try_duration"):
        assert directive in text


def test_the_image_installs_the_makefiles_cpu_torch() -> None:
    pinned = re.search(r"torch==([\d.]+)", (ROOT / "Makefile").read_text("utf-8"))
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    assert pinned and f"torch=={pinned.group(1)}" in dockerfile
    assert "download.pytorch.org/whl/cpu" in dockerfile and "USER policybot" in dockerfile


def test_the_systemd_unit_restarts_reads_its_settings_and_is_hardened() -> None:
    unit = (DEPLOY / "policybot.service").read_text("utf-8")
    keys = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line and not line.startswith("#"))
    assert keys["EnvironmentFile"] == "/etc/policybot/policybot.env" and keys["Restart"] == "on-failure"
    assert keys["ExecStart"].split()[1:3] == ["serve", "--host"] and "--workers" in keys["ExecStart"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "CapabilityBoundingSet",
                      "SystemCallFilter", "RestrictAddressFamilies"):
        assert hardening in keys, hardening


@pytest.mark.integration
def test_caddy_accepts_the_caddyfile() -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed")
    proc = subprocess.run([caddy, "validate", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.integration
def test_nginx_accepts_nginx_conf(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        pytest.skip("nginx (and openssl, for a test certificate) are not installed")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=test", "-days", "1",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True, timeout=60)
    temp = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = (DEPLOY / "nginx.conf").read_text("utf-8").replace("/var/log/nginx", str(tmp_path)) \
        .replace("/etc/ssl/policybot", str(tmp_path)).replace("\nhttp {", "\nhttp {\n    " + temp)
    (tmp_path / "nginx.conf").write_text(conf, "utf-8")
    proc = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c",
                           str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.integration
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The unit names the installed app and its user; here, this checkout's and root.
    unit = (DEPLOY / "policybot.service").read_text("utf-8") \
        .replace("/opt/policybot/.venv/bin/policybot", shutil.which("policybot") or "/bin/true") \
        .replace("User=policybot", "User=root").replace("Group=policybot", "Group=root")
    (tmp_path / "policybot.service").write_text(unit, "utf-8")
    proc = subprocess.run([analyze, "verify", str(tmp_path / "policybot.service")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr[-2000:]
