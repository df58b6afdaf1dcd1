#!/usr/bin/env python3
"""Writes the seed corpus of the `report` target (tests/fuzz/corpus/report/) and its
hand-written regression inputs (tests/fuzz/regressions/report/).

The bytes follow the order report_fuzz.cpp's ByteReader consumes them, so each seed describes a
meaningful report (a pass, a failure with every status, an error, escaping trouble) that the
fuzzer then mutates. Run it from the repository root after changing that order.
"""
import os
import struct

CORPUS = "tests/fuzz/corpus/report"
REGRESSIONS = "tests/fuzz/regressions/report"


def flag(on):
    return bytes([1 if on else 0])


def byte(value):
    return bytes([value])


def text(value):
    data = value.encode("utf-8") if isinstance(value, str) else value
    return bytes([len(data)]) + data


def u32(value):
    return struct.pack(">I", value)


def position(form, path=b"", line=None, column=None):
    out = byte(form)
    if form == 1:
        out += text(path)
    out += flag(False) + byte(line or 0)
    out += flag(False) + byte(column or 0)
    return out


def finding(rule_pick, status, severity, message, title="Backups are kept", help_="Fix it.",
            waiver=None, rule_text=b"", line=12):
    out = byte(rule_pick)
    if rule_pick >= 7:
        out += text(rule_text)
    out += text(title) + byte(status) + byte(severity) + text("backup") + byte(2)
    out += text(message) + position(0, line=line, column=3) + text(help_)
    if waiver is None:
        return out + flag(False)
    accepted, reason = waiver
    return (out + flag(True) + flag(accepted) + text("" if accepted else "expired") +
            text(reason) + text("ops@example.org") + flag(True) + position(0, line=40, column=1))


def report(findings, error=None, emergency=None, notes=(), packs=(("baseline", "1.0.0", "baseline"),),
           manifests=1, fail_on=2, service="billing-api", environment=None, path=None):
    out = flag(True) + flag(True)          # revision: 40 x 'a'
    out += flag(False) + flag(True) + u32(3)  # no base; 3 changed paths
    out += flag(False)                     # not the work tree
    out += flag(True) if environment is None else flag(False) + text(environment)
    out += u32(0x375ED0C8) + byte(60)       # 2026-11-26 + offset byte
    out += flag(emergency is not None) + (text(emergency) if emergency is not None else b"")
    out += byte(fail_on)
    out += byte(0) + text(error) if error is not None else byte(1)
    out += byte(len(notes)) + b"".join(text(n) for n in notes)
    out += byte(len(packs)) + b"".join(text(a) + text(b) + text(c) for a, b, c in packs)
    out += byte(manifests)
    for index in range(manifests):
        out += flag(True) if path is None else flag(False) + text(path)
        out += flag(True) + text(service if index == 0 else "") + byte(3)
        out += byte(len(findings)) + b"".join(findings)
    return out


SEEDS = {
    "empty": b"",
    "pass": report([finding(0, 0, 2, "backup.enabled is true (the required value)")]),
    "fail-every-status": report([
        finding(1, 1, 2, "backup.retention_days is 3; at least 7 is required"),
        finding(2, 1, 1, "monitoring.dashboard is missing"),
        finding(0, 2, 2, "waived", waiver=(True, "restore test booked")),
        finding(4, 1, 2, "refused waiver", waiver=(False, "no approver")),
        finding(5, 3, 0, "skipped: tier is low"),
        finding(3, 1, 2, "backup.schedul is not a key of schema 1"),
        finding(3, 1, 2, "backup.schedul is not a key of schema 1"),
        finding(6, 1, 0, "info below --fail-on"),
    ], notes=("checked without base",), manifests=2),
    "error": report([], error="operability.toml:3:7: expected '=' after a key", emergency="INC-42"),
    "escaping": report([
        finding(7, 1, 2, "<b>&amp;</b> \"quoted\" 'single' | pipe `tick` *star* _u_ [l](x) # $ ~",
                title="]]></failure><!-- -->", help_="```\nfence\n```", rule_text=b"X-<1>&"),
        finding(1, 1, 1, "line\nbreak\ttab\rreturn", help_="\\backslash"),
    ], emergency="``` emergency | <script>", service="svc | <x> & `y`"),
    "no-manifest": report([], manifests=0, packs=()),
    "fail-on-info": report([finding(2, 1, 0, "info fails at --fail-on info")], fail_on=0),
}

# Inputs that once failed (tests/fuzz/README.md says what each was).
REGRESSION_INPUTS = {
    # --env with a byte that is not UTF-8: render_json threw nlohmann type_error 316.
    "env-not-utf8": report([], environment=b"prod\xe9"),
    # A monorepo directory named in Latin-1, a finding on it, a truncated sequence in --emergency:
    # every JSON renderer threw, and the JUnit XML (declared UTF-8) was not well-formed.
    "path-latin1": report([finding(1, 1, 2, "backup.retention_days is 3")],
                          path=b"svc-caf\xe9/operability.toml", emergency=b"INC-42 \xe2\x82"),
    # U+FFFE, an overlong '/', a lone continuation byte and a surrogate in messages and help.
    "junit-not-xml-chars": report([finding(7, 1, 2, b"\xef\xbf\xbe \xc0\xaf \x80 \xed\xa0\x80",
                                           help_=b"\xf4\x90\x80\x80 \x01", rule_text=b"X-\xff")],
                                  error=None),
}

if __name__ == "__main__":
    for directory, inputs in ((CORPUS, SEEDS), (REGRESSIONS, REGRESSION_INPUTS)):
        os.makedirs(directory, exist_ok=True)
        for name, data in inputs.items():
            with open(os.path.join(directory, name + ".bin"), "wb") as out:
                out.write(data)
