#!/usr/bin/env python3
"""Convert an operability.toml manifest to JSON on stdout, for Spectral.

    toml2json.py MANIFEST.toml > manifest.json      (MANIFEST may be "-" for stdin)

TOML values that JSON lacks become strings:
  offset date-time  2026-12-18T00:00:00+01:00 -> "2026-12-18T00:00:00+01:00" (RFC 3339)
  local date-time   2026-12-18T00:00:00       -> "2026-12-18T00:00:00" (no offset: TOML has none)
  local date        2026-10-02                -> "2026-10-02" (RFC 3339 full-date)
  local time        07:30:00                  -> "07:30:00" (RFC 3339 partial-time)
  nan, inf, -inf                              -> "nan", "inf", "-inf" (not valid JSON numbers)
Integers and floats stay numbers; note that JSON (and so Spectral) cannot tell the TOML float
30.0 from the integer 30, whereas opsgate's `type = "integer"` can.

Exit status: 0 on success, 2 when the file cannot be read or is not valid TOML.
"""

import datetime
import json
import math
import sys
import tomllib


def to_json_value(value):
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json_value(item) for item in value]
    # (UTC comes out as "+00:00", which RFC 3339 allows as well as "Z".)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "nan"
        return "inf" if value > 0 else "-inf"
    return value


def convert(text):
    return to_json_value(tomllib.loads(text))


def main(argv):
    if len(argv) != 2:
        print("usage: toml2json.py MANIFEST.toml|-", file=sys.stderr)
        return 2
    path = argv[1]
    try:
        if path == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
        data = convert(text)
    except (OSError, UnicodeDecodeError) as error:
        print(f"toml2json: {path}: {error}", file=sys.stderr)
        return 2
    except tomllib.TOMLDecodeError as error:
        print(f"toml2json: {path}: invalid TOML: {error}", file=sys.stderr)
        return 2
    try:
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
