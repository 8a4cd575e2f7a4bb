"""The soak run's Markdown report, from the files tests/soak/soak.sh leaves in its output folder.

    python3 soak_report.py OUT WARMUP_SECONDS DURATION_SECONDS AGENT_EXIT_CODE
"""
import csv
import json
import os
import re
import sqlite3
import statistics
import sys
from datetime import datetime
from pathlib import Path

out, warmup, duration, exit_code = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

# agent.log: "<epoch> [HH:MM:SS LVL] Source: message"
agent = []
for line in (out / "agent.log").read_text(errors="replace").splitlines():
    stamp, _, text = line.partition(" ")
    try:
        agent.append((float(stamp), text))
    except ValueError:
        continue
faults = [(float(t), rest.split()) for t, _, rest in (l.partition(" ") for l in (out / "faults.log").read_text().splitlines())]
started = next(t for t, words in faults if words[0] == "agent-start")


def first_after(t, pattern):
    """Seconds from t to the first agent line after t matching pattern, or None."""
    for when, text in agent:
        if when >= t and re.search(pattern, text):
            return when - t
    return None


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


# ---- resources after warm-up, over the longest run of one agent process (a crash starts a new one) ----
samples = [s for s in csv.DictReader(open(out / "samples.csv")) if s["rss_kb"]]
# Each process's first 30 s are its start (model load, cameras opening), not its steady state.
run_start = {}
for s in samples:
    run_start.setdefault(s["pid"], int(s["t"]))
runs = {}
for s in samples:
    if int(s["t"]) >= max(warmup, run_start[s["pid"]] + 30):
        runs.setdefault(s["pid"], []).append(s)
steady = max(runs.values(), key=len)
steady_span = (int(steady[0]["t"]), int(steady[-1]["t"]))


def slope_per_hour(key):
    """Least-squares growth per hour of a sampled column over the steady part of the run."""
    xs = [int(s["t"]) for s in steady]
    ys = [float(s[key]) for s in steady]
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs) * 3600


def column(key, scale=1.0):
    values = [float(s[key]) / scale for s in steady]
    return values[0], values[-1], max(values)


def drift(key, scale=1.0, minutes=5):
    """Mean over the first and over the last `minutes` of the steady part: drift that a slope may hide in noise."""
    span = minutes * 60
    first = [float(s[key]) / scale for s in steady if int(s["t"]) < steady_span[0] + span]
    last = [float(s[key]) / scale for s in steady if int(s["t"]) > steady_span[1] - span]
    return statistics.fmean(first), statistics.fmean(last)


rss_first, rss_last, rss_max = column("rss_kb", 1024)
ticks_per_second = os.sysconf("SC_CLK_TCK")
cpu_percent = (int(steady[-1]["cpu_ticks"]) - int(steady[0]["cpu_ticks"])) / ticks_per_second / (int(steady[-1]["t"]) - int(steady[0]["t"])) * 100
load = statistics.fmean(float(s["load1"]) for s in steady)
fds_first, fds_last, fds_max = column("fds")
thr_first, thr_last, thr_max = column("threads")

# ---- alerts: produced (the agent's log) against delivered (the subscriber) ----
produced = {"start": set(), "end": set()}
for _, text in agent:
    if m := re.search(r"Alert (\w+) on \S+: score", text):
        produced["start"].add(m.group(1))
    elif m := re.search(r"Alert (\w+) on \S+ ended after", text):
        produced["end"].add(m.group(1))
delivered = {"start": set(), "update": set(), "end": set()}
received = 0
latencies = []
for line in (out / "delivered.log").read_text(errors="replace").splitlines():
    arrived, _, rest = line.partition(" ")
    _, _, payload = rest.partition(" ")
    try:
        event = json.loads(payload)
    except json.JSONDecodeError:
        continue
    received += 1
    key = event["id"] if event["type"] != "update" else (event["id"], event["time"])
    delivered[event["type"]].add(key)
    if event["type"] == "start":
        latencies.append(float(arrived) - datetime.fromisoformat(event["time"]).timestamp())
unique = sum(len(v) for v in delivered.values())

# ---- the alert history the agent left in its database ----
history = {}
# Events still in the outbox when the agent stopped (raised in its last moments, or while the broker was away): durable,
# they go out at the next start, so they are pending, not lost.
waiting = {"start": set(), "update": set(), "end": set()}
try:
    with sqlite3.connect(f"file:{out / 'linewatch.db'}?mode=ro", uri=True) as db:
        history = dict(db.execute("SELECT id, ended IS NOT NULL FROM alerts"))
        for (payload,) in db.execute("SELECT payload FROM outbox WHERE topic LIKE '%/events'"):
            event = json.loads(payload)
            waiting[event["type"]].add(event["id"])
except sqlite3.Error as e:
    print(f"(the history could not be read: {e})\n")
# Events the journal could not write (full disk) are published from memory, logged as such, and missing from the history.
unsaved = {(m.group(1), m.group(2)) for _, text in agent if (m := re.search(r"Alert (\w+) on \S+ \((start|update|end)\) could not be written to the database", text))}
missing_history = produced["start"] - history.keys()
missing_end = {i for i in produced["end"] if not history.get(i)}
unheard = history.keys() - delivered["start"]
lost_starts = produced["start"] - delivered["start"] - waiting["start"]
lost_ends = produced["end"] - delivered["end"] - waiting["end"]

# ---- recovery times ----
camera_down, camera_back, broker_back = [], [], []
for t, words in faults:
    if words[0] == "camera-kill":
        camera_down.append(first_after(t, rf"Camera {words[1]} (lost|stalled)"))
    elif words[0] == "camera-start":
        camera_back.append(first_after(t, rf"Camera {words[1]} open:"))
    elif words[0] == "broker-start":
        broker_back.append(first_after(t, r"MQTT connected"))
disk = [(t, words) for t, words in faults if words[0].startswith("disk-")]
fill = next((t for t, w in disk if w[0] == "disk-fill"), None)
free = next((t for t, w in disk if w[0] == "disk-free"), None)
disk_errors = [text for when, text in agent if fill and fill <= when <= (free or float("inf")) + 5 and " ERR] " in text]

# ---- refused connections: the broker restarted requiring credentials the agent lacks, then accepting it ----
refusals = []  # (refused at, accepted at)
for t, words in faults:
    if words[0] == "broker-refuse":
        refusals.append([t, None])
    elif words[0] == "broker-accept" and refusals and refusals[-1][1] is None:
        refusals[-1][1] = t
refused_logged = [sum(1 for when, text in agent if a <= when <= (b or float("inf")) and "refused the connection" in text) for a, b in refusals]
refusal_back = [first_after(b, r"MQTT connected") for _, b in refusals if b]
# Alerts raised while the agent could not get in: each must still reach the subscriber.
raised_refused = {m.group(1) for when, text in agent for a, b in refusals
                  if a <= when <= (b or float("inf")) and (m := re.search(r"Alert (\w+) on \S+: score", text))}

# ---- the agent's memory cgroup (--memory-max) ----
cgroup = {}
try:
    for line in (out / "cgroup.txt").read_text().splitlines():
        key, _, value = line.partition(" ")
        cgroup[key] = value
except OSError:
    pass
cgroup_samples = [int(s["cgroup_bytes"]) / 2**20 for s in samples if s.get("cgroup_bytes")]

stats = {}
try:
    stats = json.loads((out / "stats.json").read_text())
except (OSError, json.JSONDecodeError):
    pass
crashes = sum(1 for _, w in faults if w[0] == "agent-died")
kills = sum(1 for _, w in faults if w[0] == "agent-crash")

print(f"## Soak: {duration // 60} min, 4 cameras, {sum(1 for _, w in faults if w[0] == 'camera-kill')} camera flaps, "
      f"{sum(1 for _, w in faults if w[0] == 'broker-stop')} broker restarts, {len(refusals)} refusing broker restarts, "
      f"{'one' if fill else 'no'} full disk, {kills} kill -9 restarts\n")
print("| measure | value |")
print("|---|---|")
print(f"| agent | {'died by itself during the run' if crashes else 'never died by itself'}; killed with SIGKILL and restarted {kills} times; exit code after SIGTERM: {exit_code} |")
if kills:
    print(f"| resources below: the longest run of one process, from 30 s after its start and after warm-up | {steady_span[0]}-{steady_span[1]} s |")
print(f"| agent CPU after warm-up; machine load average (2 cores, shared) | {cpu_percent:.0f}% of one core; {load:.1f} |")
print(f"| RSS after warm-up ({warmup} s): first / last / max | {rss_first:.0f} / {rss_last:.0f} / {rss_max:.0f} MB |")
print(f"| RSS trend after warm-up (least squares) | {slope_per_hour('rss_kb') / 1024:+.1f} MB/h |")
print(f"| mean of the first / last 5 min: RSS; file descriptors; threads | {drift('rss_kb', 1024)[0]:.0f} / {drift('rss_kb', 1024)[1]:.0f} MB; "
      f"{drift('fds')[0]:.1f} / {drift('fds')[1]:.1f}; {drift('threads')[0]:.1f} / {drift('threads')[1]:.1f} |")
print(f"| open file descriptors: first / last / max | {fds_first:.0f} / {fds_last:.0f} / {fds_max:.0f} ({slope_per_hour('fds'):+.1f}/h) |")
print(f"| threads: first / last / max | {thr_first:.0f} / {thr_last:.0f} / {thr_max:.0f} ({slope_per_hour('threads'):+.1f}/h) |")
if cgroup:
    limit = int(cgroup["limit"]) / 2**20
    peak = f"{int(cgroup['peak']) / 2**20:.0f} MB" if cgroup.get("peak", "unknown").isdigit() else "not reported by the kernel"
    print(f"| memory cgroup: limit; peak; sampled max / last (page cache and tmpfs included) | {limit:.0f} MB; {peak}; "
          f"{max(cgroup_samples):.0f} / {cgroup_samples[-1]:.0f} MB |")
    print(f"| OOM kills in the cgroup | {cgroup.get('oom_kill', 'not reported by the kernel')} |")
print(f"| alerts started (agent log) / start events delivered | {len(produced['start'])} / {len(produced['start'] & delivered['start'])} |")
print(f"| alerts ended (agent log) / end events delivered | {len(produced['end'])} / {len(produced['end'] & delivered['end'])} |")
print(f"| update events delivered | {len(delivered['update'])} |")
print(f"| events not delivered but waiting in the outbox at the stop (sent at the next start): start / update / end | "
      f"{len(waiting['start'] - delivered['start'])} / {len(waiting['update'])} / {len(waiting['end'] - delivered['end'])} |")
# An event the full disk kept out of the database lives only in the process until the broker takes it; a kill -9
# before that loses it (logged as such when it happens). Any other loss is a defect.
lost_unsaved = sum(1 for i in lost_starts if (i, "start") in unsaved) + sum(1 for i in lost_ends if (i, "end") in unsaved)
print(f"| events lost (logged, never delivered); of them, kept out of the database by the full disk | {len(lost_starts) + len(lost_ends)}; {lost_unsaved} |")
print(f"| alerts in the history (database) / logged alerts missing from it / logged ends not recorded | {len(history)} / {len(missing_history)} / {len(missing_end)} |")
print(f"| of those, logged as not written to the database (full disk) | {len({i for i in missing_history if (i, 'start') in unsaved})} / {len({i for i in missing_end if (i, 'end') in unsaved})} |")
print(f"| alerts in the history whose start never reached the subscriber | {len(unheard)} |")
print(f"| duplicate deliveries (at-least-once) | {received - unique} of {received} messages |")
print(f"| start event delivery delay, s: min / median / max | {spread(latencies)} |")
print(f"| camera loss noticed after kill, s: min / median / max | {spread(camera_down)} |")
print(f"| camera streaming again after its server returned, s: min / median / max | {spread(camera_back)} |")
print(f"| MQTT reconnected after the broker returned, s: min / median / max | {spread(broker_back)} |")
if refusals:
    print(f"| broker refusing the agent: restarts; refusals the agent logged, per restart | {len(refusals)}; {', '.join(map(str, refused_logged))} |")
    print(f"| MQTT connected after the broker accepted again, s: min / median / max | {spread(refusal_back)} (never: {sum(1 for b in refusal_back if b is None)}) |")
    print(f"| alerts raised while refused / their start events delivered | {len(raised_refused)} / {len(raised_refused & delivered['start'])} |")
if fill:
    print(f"| full disk: {f'{free - fill:.0f} s' if free else 'to the end'}; agent errors logged meanwhile | {len(disk_errors)} |")
if stats:
    print(f"| outbox at the end: pending / dropped | {stats.get('outbox_pending')} / {stats.get('outbox_dropped')} |")
    print(f"| inference batch p50 / p99 at the end | {stats.get('inference_batch_ms_p50')} / {stats.get('inference_batch_ms_p99')} ms |")
print()
if stats:
    print("| camera | windows scored | clips dropped | reconnects | stalls | errors |")
    print("|---|---|---|---|---|---|")
    for c in stats.get("cameras", []):
        print(f"| {c['camera']} | {c['windows_scored']} | {c['clips_dropped']} | {c['reconnects']} | {c['stalls']} | {c['errors']} |")
    print()
if missing_history or missing_end:
    print("Not in the history: " + ", ".join(sorted(f"alert {i}" for i in missing_history) + sorted(f"end of {i}" for i in missing_end)) + "\n")
if lost_starts or lost_ends:
    print("Lost: " + ", ".join(sorted(f"start {i}" for i in lost_starts) + sorted(f"end {i}" for i in lost_ends)) + "\n")
if disk_errors:
    print("Errors while the disk was full (first 5):\n")
    for text in disk_errors[:5]:
        print(f"    {text[:200]}")
    print()
