"""The worker end of AttnSweep's worker protocol (docs/worker-protocol.md), for providers in Python.

A provider supplies two functions and calls serve():
  describe() -> dict with "worker", "device" ({backend, ordinal, name, facts}), "caps", "free_bytes"
  run_cell(request, cancelled) -> the result record (see cell_result below); `cancelled` is a
      threading.Event set when the driver sends `cancel` (check it between samples). A `crashed`
      result (poisoned CUDA context) ends the process with exit code 3 after it is sent.
Requests are read on a thread of their own, so a cancel reaches a running cell. Standard library
only: the fake provider of the tests and a provider on a machine without torch both use it.
"""
import json
import math
import os
import queue
import sys
import threading

PROTOCOL_VERSION = 1

_out_lock = threading.Lock()
_channel = None  # the protocol's stdout; set by serve()


def _open_channel():
    """Keeps the real stdout for protocol lines and points fd 1 at stderr, so stray prints from
    torch, Triton or C libraries become stderr text instead of corrupting the protocol stream."""
    global _channel
    sys.stdout.flush()
    _channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def _finite(value):
    """JSON has no NaN or infinity: such numbers are written as null, as the engine does."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def emit(event):
    """Writes one event as one line and flushes (the driver reads line by line)."""
    line = json.dumps(_finite(event), allow_nan=False, separators=(",", ":"))
    out = _channel or sys.stdout
    with _out_lock:
        out.write(line + "\n")
        out.flush()


def log(message, level="info"):
    emit({"type": "log", "level": level, "message": message})


def cell_id(cell):
    return "{}|{}|{}|{}".format(cell["kernel"], cell["tier"]["name"], cell["dtype"],
                                "causal" if cell["causal"] else "full")


def cell_result(cell, status, message="", timings=None, check=None, steady=None, clocks=None, wall_split=None,
                device=0, wall_s=0.0):
    """The result record result_to_json writes: `timings` ({mode: timing}, method.sample_mode's) only
    for ok, and every ok has them; `steady`, `clocks` and `wall_split` (the record's `wall_split_s`)
    where the cell got that far."""
    record = dict(cell)
    record.update({"type": "cell", "id": cell_id(cell), "status": status, "message": message,
                   "check": check if check is not None else {"checked": False}, "device": int(device)})
    if wall_s > 0:
        record["wall_s"] = float(wall_s)
    for key, value in (("steady", steady), ("clocks", clocks), ("wall_split_s", wall_split)):
        if value is not None:
            record[key] = value
    if status == "ok":
        if not timings:
            raise ValueError("an ok result needs its timings")
        record["timings"] = timings
        record["noisy"] = any(t.get("noisy", False) for t in timings.values())
    return record


def _read_requests(inbox, cancelled, busy):
    """Reader thread: requests go to the inbox in order. A cancel sets the flag at once when a cell
    runs or waits in the inbox (it may not have been picked up yet); when idle it is a no-op."""
    for line_no, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("type"), str):
                raise ValueError("a request must be a JSON object with a string field 'type'")
        except ValueError as e:
            emit({"type": "error", "fatal": False,
                  "message": "request line {} ignored: {}".format(line_no, e)})
            continue
        if request["type"] == "cancel":
            if busy.is_set() or not inbox.empty():
                cancelled.set()
            continue
        inbox.put(request)
    inbox.put(None)  # end of input


def serve(describe, run_cell):
    """Runs the request loop until shutdown or end of input; returns the exit code."""
    _open_channel()
    inbox = queue.Queue()
    cancelled = threading.Event()  # set by a cancel; cleared once the cell it meant has answered
    busy = threading.Event()
    threading.Thread(target=_read_requests, args=(inbox, cancelled, busy), daemon=True).start()
    greeted = False
    while True:
        request = inbox.get()
        if request is None:
            emit({"type": "bye", "reason": "end of input"})
            return 0
        kind = request["type"]
        if kind == "shutdown":
            emit({"type": "bye", "reason": "shutdown"})
            return 0
        if kind == "hello":
            peer = request.get("protocol")
            if peer != PROTOCOL_VERSION:
                emit({"type": "error", "fatal": True,
                      "message": "the driver speaks worker protocol version {}, but this program speaks "
                                 "version {}; use the same attnsweep release on both sides".format(
                                     peer, PROTOCOL_VERSION)})
                emit({"type": "bye", "reason": "protocol version mismatch"})
                return 2
            hello = {"type": "hello", "protocol": PROTOCOL_VERSION}
            hello.update(describe())
            emit(hello)
            greeted = True
        elif kind == "run_cell":
            seq = request.get("seq")
            cell = request.get("cell")
            if not greeted:
                emit({"type": "error", "fatal": False, "message": "run_cell {} ignored: send hello first".format(seq)})
                continue
            try:
                if not isinstance(seq, int) or seq < 0 or not isinstance(cell, dict):
                    raise ValueError("fields 'seq' (non-negative integer) and 'cell' (object) are required")
                started = {"type": "cell_started", "seq": seq, "cell_id": cell_id(cell)}
            except (KeyError, TypeError, ValueError) as e:
                why = "field 'cell' lacks {}".format(e) if isinstance(e, KeyError) else str(e)
                emit({"type": "error", "fatal": False, "message": "run_cell ignored: " + why})
                continue
            busy.set()
            emit(started)
            try:
                result = run_cell(request, cancelled)
            except Exception as e:  # a provider bug must still answer the cell, never hang it
                result = cell_result(cell, "error", "provider failed: {}: {}".format(type(e).__name__, e))
            emit({"type": "cell_result", "seq": seq, "result": result})
            busy.clear()
            cancelled.clear()
            if result.get("status") == "crashed":  # a poisoned device runs nothing more
                emit({"type": "bye", "reason": "device poisoned: " + result.get("message", "")})
                return 3
        else:
            emit({"type": "error", "fatal": False,
                  "message": "unknown request type '{}' (known: hello, run_cell, cancel, shutdown)".format(kind)})
