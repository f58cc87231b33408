"""Case generators for adversarial_parity.py.

A case is a dict: name, category, desc, canary (bytes), ours (bytes),
args (list, appended after `--canary canary.jsonl --ours ours.jsonl
[--out report.md]`), optional stdout_mode, raw_argv (full argv replacing the
standard one), extra_files ({name: bytes or None for a directory}),
check_files (extra output files to compare), env.
"""
import json
import random

HDR_C = '{"kind":"schema_version","schema_version":1,"engine":"canary","emitter":"xenia-canary"}'
HDR_O = '{"kind":"schema_version","schema_version":1,"engine":"ours","emitter":"xdet"}'


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def shared_sid(pointer, object_type):
    buf = (0xC01AB005).to_bytes(4, "little") + (0).to_bytes(4, "little") + \
        (pointer & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little") + (object_type & 0xFFFFFFFF).to_bytes(4, "little")
    return f"{fnv1a64(buf):016x}"


def J(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def line(tid, idx, kind, payload_text, engine="canary", tid_text=None, idx_text=None, extra=""):
    """One event line; payload_text is raw JSON text (or None to omit)."""
    t = tid_text if tid_text is not None else J(tid)
    i = idx_text if idx_text is not None else J(idx)
    s = f'{{"tid":{t},"tid_event_idx":{i},"kind":{J(kind) if not kind.startswith("RAW:") else kind[4:]},' \
        f'"engine":"{engine}","host_ns":{1000 + idx * 7},"guest_cycle":{idx * 13},"deterministic":false'
    if payload_text is not None:
        s += f',"payload":{payload_text}'
    return s + extra + "}"


def call(name, args=None, args_resolved=None, ret="0x00000000", status="0x00000000"):
    """import.call / kernel.call / kernel.return triple as (kind, payload_text)."""
    a = J(args if args is not None else {"r3": "0x00000001"})
    ar = J(args_resolved if args_resolved is not None else {})
    return [
        ("import.call", J({"name": name, "ord": 1, "module": "xboxkrnl.exe", "thunk_pc": "0x82002068"})),
        ("kernel.call", f'{{"name":{J(name)},"ord":1,"args":{a},"args_resolved":{ar}}}'),
        ("kernel.return", f'{{"name":{J(name)},"return_value":{J(ret)},"status":{J(status)}}}'),
    ]


def prologue(n=2):
    out = []
    names = ["XexCheckExecutablePrivilege", "KeQueryPerformanceFrequency", "NtCreateFile", "ObDereferenceObject"]
    for k in range(n):
        out += call(names[k % len(names)])
    return out


def build(header, threads, engine):
    """threads: list of (tid, [(kind, payload_text) | raw-line-string]) -> bytes,
    events interleaved round-robin across threads."""
    lines = [header]
    cursors = [0] * len(threads)
    remaining = True
    while remaining:
        remaining = False
        for ti, (tid, evs) in enumerate(threads):
            if cursors[ti] < len(evs):
                remaining = True
                e = evs[cursors[ti]]
                idx = cursors[ti]
                cursors[ti] += 1
                if isinstance(e, str):
                    lines.append(e)
                else:
                    lines.append(line(tid, idx, e[0], e[1], engine=engine))
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def pair(c_threads, o_threads, hc=HDR_C, ho=HDR_O):
    return build(hc, c_threads, "canary"), build(ho, o_threads, "ours")


def mk(name, category, canary, ours, args=(), desc="", **kw):
    d = {"name": name, "category": category, "canary": canary, "ours": ours, "args": list(args), "desc": desc}
    d.update(kw)
    return d


# ---------------------------------------------------------------- values
VALUES = [
    "0", "-0", "-0.0", "0.0", "1", "1.0", "1.5", "-1.5", "1e16", "1e15", "9999999999999998.0", "1e-5", "0.0001",
    "1e-7", "1E+2", "1e308", "1e309", "-1e400", "5e-324", "2.5e-324", "1.7976931348623157e308", "0.1",
    "0.30000000000000004", "100000000000000000000000000000", "-12345678901234567890123", "9007199254740993",
    "NaN", "Infinity", "-Infinity", "1.0e+16", "12345678.9", "1e22", "1e21", "123e-2", "1.5E-10", "-0e0", "0e5",
    "3.14159265358979323846264338327950288", "1" + "0" * 300, "1" + "0" * 400 + ".0",
    '""', '"it\'s"', '"say \\"hi\\""', '"both \' and \\""', '"back\\\\slash"', '"\\n\\t\\r\\b\\f"',
    '"\\u0000\\u001f\\u007f"', '"\\u0080\\u009f\\u00a0\\u00ad"', '"\\u00e9"', '"é direct"', '"日本語"', '"😀"',
    '"\\ud83d\\ude00"', '"\\ud800"', '"\\udc80"', '"\\udfff"', '"\\u2028\\u2029"', '"\\u200b\\u200e"', '"\\ufeff"',
    '"\\udb40\\udc01"', '"e\\u0301"', '"\\u0378"', '"\\ud83e\\udee8"', '"\\ud884\\udf50"', '"\\u0cf3"', '"\\u00ff\\u0100"',
    '"\x7f raw del"', '"\\/slash"', '"\\u0022\\u0027"', '"tab\\there"', '"\\u1680\\u3000\\u2000"',
    '"\\ud834\\udd1e"', '"\\uffff\\ufffe"', '"\\U0001"', '"\\ud7ff\\ue000"', '"\\u0085"', '"\\u061c\\u2066"',
    '"\\u0d4f\\u1aff"', '"\\ud83c\\udff4\\udb40\\udc67"', '"\\u9fff\\u9ffc"', '"\\ud86e\\udedf"',
    "[]", "{}", "[1,[2,[3]]]", '{"b":1,"a":{"d":[],"c":null}}', '{"a":1,"a":2}', '{"a":1,"b":2,"a":3}',
    "[true,false,null]", '{"":""}', '{"k\'":"v\\""}', '[1.0,-0.0,1e16]', '{"z":{"y":{"x":[{"w":"é"}]}}}',
    "true", "false", "null", " [ 1 , 2 ] ", '{"\\u00e9":1,"e":2,"E":3,"_":4,"1":5}',
]

EQ_PAIRS = [
    ("1", "1.0"), ("1", "true"), ("0", "false"), ("-0.0", "0"), ("1e400", "Infinity"), ("[1]", "[1.0]"),
    ('{"a":1,"b":2}', '{"b":2,"a":1}'), ("NaN", "NaN"), ("9007199254740993", "9007199254740992.0"),
    ("9007199254740992", "9007199254740992.0"), ("1" + "0" * 30, "1e30"), ('"\\u00e9"', '"é"'),
    ("1E2", "100.0"), ("[NaN]", "[NaN]"), ('{"a":NaN}', '{"a":NaN}'), ('{"a":1,"a":2}', '{"a":2}'),
    ('{"a":1,"a":2}', '{"a":1}'), ("null", "false"), ('""', "null"), ("[]", "{}"), ("0.1", "0.10000000000000001"),
    ("true", "1.0"), ("[true]", "[1]"), ('{"x":[0]}', '{"x":[false]}'), ("-0", "0"), ("1e-400", "0"),
    ("123456789012345678901234567890", "123456789012345678901234567891"), ('"a"', '"a "'),
    ('"\\ud83d\\ude00"', '"😀"'), ("2", "2.0000000000000001"),
]


def value_cases():
    for vi, v in enumerate(VALUES):
        # (a) thread.create payload differs in field x (repr of payload, diff descr, raw JSON)
        c = prologue() + [("thread.create", f'{{"entry_pc":"0x82001000","ctx_ptr":"0x40001000","x":{v},"y":1}}')]
        o = prologue() + [("thread.create", f'{{"entry_pc":"0x82001000","ctx_ptr":"0x40002000","x":{v},"y":2}}')]
        cb, ob = pair([(6, c)], [(1, o)])
        yield mk(f"val_tc_{vi:03d}", "values", cb, ob, desc=f"value {v[:40]!r} in thread.create payload")
        # (b) divergence on the value itself vs a fixed other
        c = prologue() + [("wait.begin", f'{{"handles_semantic_ids":["aa"],"wait_type":{v},"timeout":{v}}}')]
        o = prologue() + [("wait.begin", '{"handles_semantic_ids":["aa"],"wait_type":"any","timeout":null}')]
        cb, ob = pair([(6, c)], [(1, o)])
        yield mk(f"val_wb_{vi:03d}", "values", cb, ob, desc=f"value {v[:40]!r} differing in wait.begin")
        # (c) value as kernel.return return_value (tagged) + as call name (str())
        c = prologue() + [("kernel.return", f'{{"name":{v},"return_value":{v},"status":"0x0"}}')]
        o = prologue() + [("kernel.return", '{"name":"X","return_value":"0x1","status":"0x0"}')]
        cb, ob = pair([(6, c)], [(1, o)])
        yield mk(f"val_rv_{vi:03d}", "values", cb, ob, desc=f"value {v[:40]!r} as return_value/name")
        # (d) value in kernel.call args (tagged args diff) and matched earlier (pre-context repr)
        c = prologue() + [("kernel.call", f'{{"name":"NtOpen","args":{{"k":{v},"z":1}},"args_resolved":{{}}}}'),
                          ("thread.exit", f'{{"code":{v}}}'), ("kernel.call", f'{{"name":"A","args":{{"p":{v}}}}}')]
        o = prologue() + [("kernel.call", f'{{"name":"NtOpen","args":{{"k":{v},"z":1}},"args_resolved":{{}}}}'),
                          ("thread.exit", f'{{"code":{v}}}'), ("kernel.call", '{"name":"A","args":{"p":"other"}}')]
        cb, ob = pair([(6, c)], [(1, o)])
        yield mk(f"val_args_{vi:03d}", "values", cb, ob, desc=f"value {v[:40]!r} in args / pre-context")
        # (e) value inside an absorbed event (absorbed JSONL json.dumps)
        sid = shared_sid(0x80001000, 3)
        hc = f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3,"v":{v}}}'
        c = prologue() + [("handle.create", hc)] + call("KeSetEvent")
        o = prologue() + call("KeSetEvent")
        cb, ob = pair([(6, c)], [(1, o)])
        yield mk(f"val_abs_{vi:03d}", "values", cb, ob, ["--emit-absorbed-events", "absorbed.jsonl"],
                 desc=f"value {v[:40]!r} inside absorbed shared-global event")
    for pi, (a, b) in enumerate(EQ_PAIRS):
        for where in ("payload", "args", "rv"):
            if where == "payload":
                ce = ("thread.exit", f'{{"code":{a},"t":1}}')
                oe = ("thread.exit", f'{{"code":{b},"t":1}}')
            elif where == "args":
                ce = ("kernel.call", f'{{"name":"F","args":{{"k":{a}}},"args_resolved":{{"q":{a}}}}}')
                oe = ("kernel.call", f'{{"name":"F","args":{{"k":{b}}},"args_resolved":{{"q":{b}}}}}')
            else:
                ce = ("kernel.return", f'{{"name":"F","return_value":{a},"status":{a}}}')
                oe = ("kernel.return", f'{{"name":"F","return_value":{b},"status":{b}}}')
            c = prologue() + [ce] + call("Z1")
            o = prologue() + [oe] + call("Z2")
            cb, ob = pair([(6, c)], [(1, o)])
            yield mk(f"eq_{where}_{pi:02d}", "equality", cb, ob, desc=f"{a[:30]} vs {b[:30]} in {where}")


# ---------------------------------------------------------------- malformed lines
BAD_LINES = [
    "", " ", "\t", "  \t ", "garbage", "{", "{}", "[]", "1", '"s"', "null", '{"tid":null}', '{"tid":6',
    '{"tid":6}}', '{"tid":6} x', "{'tid':6}", '{"tid":6,}', '{"tid":[6]}', '{"tid":{}}', '{"x":"\\x"}',
    '{"x":"\\u12"}', '{"x":"\\u12G4"}', '{"x":"a\tb"}', '{"x":"a\x01b"}', '{"tid":6,"x":01}', "-", "1.", ".5", "+1",
    "0x10", '{"a" 1}', '{"a":1 "b":2}', "[1 2]", "[1,]", '"unterminated', '{"tid":6,"x":"é\\q"}',
    '{"x":"日本", "y":}', '{"tid":6,"x":' + "1" * 5000 + "}", '{"tid":6,"x":' + "[" * 3000 + "]" * 3000 + "}",
    '{"tid":6,"x":' + "[" * 900 + "]" * 900 + "}", "\ufeff{}", '\x0c{"tid":6}', '{"tid":6}\x0c', "\x00",
    '{"tid":6,"x":tru}', '{"tid":6,"x":nul}', '{"tid":6,"x":Nan}', '{"tid":6,"x":-Infinity}', '{"tid":6,"x":-NaN}',
    '{"tid":6,"x":infinity}', '{"tid":6,"x":"\\ud800\\u"}', '{"tid":6 , "x" : 1 }', ' {"tid":99} ', '{"":1}',
    '{"tid":6,"x":1e}', '{"tid":6,"x":1e+}', '{"tid":6,"x":-}', '{"tid":6,"x":--1}', '{"tid":6,"x":1.e5}',
    '{"tid":6,"x":00}', '{"tid":6,"x":-01}', '{"tid":6,"x":"\x7f"}', '{"tid":6,"x":"\\\'"}', "{,}", "{:}", "[,1]",
    '{"tid":6,"tid":null}', '{"tid":null,"tid":6}', '{1:2}', '{"a":1,}', "]", "}", '"\\"', "   \t\t{}  ",
    '{"x":"\x1f"}', '{"tid":6,"x":[1,{"a":]}', '{"tid":6,"x":"' + "é" * 10 + '\x02"}', "é", '{"é":1,"a" 2}',
    '{"tid":"\\ud800"}', "true", "false", "1e999", "NaN",
]


def malformed_cases():
    base_c = [(6, prologue(3))]
    for li, bad in enumerate(BAD_LINES):
        for side in ("canary", "ours"):
            hdr = HDR_C if side == "canary" else HDR_O
            lines = [hdr] + [line(6 if side == "canary" else 1, i, k, p, engine=side)
                             for i, (k, p) in enumerate(prologue(3))]
            lines.insert(3, bad)
            data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
            good_c, good_o = pair(base_c, [(1, prologue(3))])
            c, o = (data, good_o) if side == "canary" else (good_c, data)
            yield mk(f"bad_{side}_{li:03d}", "malformed_line", c, o, desc=f"line 4 of {side} is {bad[:40]!r}")
    # file-level byte forms
    good_c, good_o = pair(base_c, [(1, prologue(3))])
    forms = {
        "crlf": lambda b: b.replace(b"\n", b"\r\n"),
        "cr_only": lambda b: b.replace(b"\n", b"\r"),
        "no_trailing_nl": lambda b: b.rstrip(b"\n"),
        "truncated_last": lambda b: b.rstrip(b"\n")[:-7],
        "bom": lambda b: b"\xef\xbb\xbf" + b,
        "empty": lambda b: b"",
        "only_newline": lambda b: b"\n",
        "only_header": lambda b: b.split(b"\n")[0] + b"\n",
        "only_header_no_nl": lambda b: b.split(b"\n")[0],
        "blank_lines_everywhere": lambda b: b.replace(b"\n", b"\n\n\n"),
        "lone_cr_in_line": lambda b: b.replace(b'"kind":"kernel.call"', b'"kind":\r"kernel.call"', 1),
        "cr_between_lines": lambda b: b.replace(b"\n", b"\n\r", 2),
        "whitespace_line": lambda b: b.replace(b"\n", b"\n   \n", 2),
        "invalid_utf8": lambda b: b.replace(b'"name":"', b'"name":"\xff', 1),
        "nul_bytes": lambda b: b.replace(b"\n", b"\n\x00", 2),
        "u2028_in_string": lambda b: b.replace(b'"name":"', '"name":"\u2028\u0085'.encode(), 1),
        "vt_ff_separators": lambda b: b.replace(b"\n", b"\x0b\n", 3),
        "header_crlf_only": lambda b: b.replace(b"\n", b"\r\n", 1),
        "trailing_spaces": lambda b: b.replace(b"}\n", b"}   \t\n"),
        "tab_indent": lambda b: b.replace(b"\n{", b"\n\t{"),
        "dup_last_line": lambda b: b + b.rstrip(b"\n").split(b"\n")[-1] + b"\n",
        "garbage_tail": lambda b: b + b"\x00\x00\x00",
    }
    for fname, fn in forms.items():
        for side in ("canary", "ours"):
            c, o = (fn(good_c), good_o) if side == "canary" else (good_c, fn(good_o))
            yield mk(f"file_{fname}_{side}", "file_form", c, o, desc=f"{fname} applied to {side}")
    # both sides broken: canary error wins
    yield mk("file_both_bad", "file_form", b"", b"", desc="both empty")
    yield mk("file_both_bad2", "file_form", good_c + b"garbage\n", b"{}\n", desc="both bad")


HEADERS = [
    '{"kind":"schema_version","schema_version":2}', '{"kind":"schema_version","schema_version":"1"}',
    '{"kind":"schema_version","schema_version":1.0}', '{"kind":"schema_version","schema_version":true}',
    '{"kind":"schema_version","schema_version":1e0}', '{"kind":"schema_version"}',
    '{"kind":"schema_version","schema_version":null}', '{"kind":"header","schema_version":1}',
    '{"schema_version":1}', '{"kind":["x"],"schema_version":1}', '{"kind":null}', '{"kind":"schema_version","schema_version":[1]}',
    '{"kind":"schema_version","schema_version":{"v":1}}', '{"kind":"schema_version","schema_version":1,"kind":"x"}',
    '{"kind":"x","kind":"schema_version","schema_version":1}', '{"kind":"schéma","schema_version":1}',
    '{"kind":"schema_version","schema_version":NaN}', '{"kind":"schema_version","schema_version":-1}',
    '{"kind":"schema_version","schema_version":1}   ', '  {"kind":"schema_version","schema_version":1}',
    '{"kind":"schema_version","schema_version":1} x', "[]", "1", '"schema_version"', "null", "", "garbage",
    '\ufeff{"kind":"schema_version","schema_version":1}', '{"kind":"\\u0073chema_version","schema_version":1}',
    '{"kind":"schema_version","schema_version":1,"tid":6,"tid_event_idx":0}', '{"kind":"schema_version",'
    '"schema_version":10000000000000000000000}', '{"kind":"schema_version","schema_version":1.0000000000000001}',
    '{"kind":"it\'s","schema_version":1}', '{"kind":"\\u00e9\\n","schema_version":1}', '{"kind":1}',
    '{"kind":"schema_version","schema_version":2', '{"kind":"schema_version","schema_version":0}',
    '{"kind":"schema_version","schema_version":"\\ud800"}', '{"kind":"\\ud800"}', '{"kind":{"a":[1.5,null]}}',
    '{"kind":"schema_version","schema_version":false}', '{}',
]


def header_cases():
    for hi, h in enumerate(HEADERS):
        for side in ("canary", "ours"):
            c, o = pair([(6, prologue())], [(1, prologue())], hc=h if side == "canary" else HDR_C,
                        ho=h if side == "ours" else HDR_O)
            yield mk(f"hdr_{side}_{hi:02d}", "header", c, o, desc=f"{side} header {h[:50]!r}")


# ---------------------------------------------------------------- field types
def field_cases():
    tids = ['"6"', "6.0", "true", "false", "0", "-1", "6.5", '"t6"', "NaN", "Infinity", "1e400", "[6]", "{}",
            '"é"', "99999999999999999999999", "-0.0", "0.0", '""', "null", '"\\ud800"', "1e16", "1.0e0"]
    for ti, t in enumerate(tids):
        for mode in ("all", "one", "second_thread", "manual_map"):
            c_lines = [HDR_C]
            evs = prologue(2)
            for i, (k, p) in enumerate(evs):
                tt = t if mode in ("all", "manual_map") or (mode == "one" and i == 3) else "6"
                c_lines.append(line(6, i, k, p, tid_text=tt))
            if mode == "second_thread":
                for i, (k, p) in enumerate(prologue(2)[::-1]):
                    c_lines.append(line(6, i, k, p, tid_text=t))
            c = ("\n".join(c_lines) + "\n").encode()
            o = build(HDR_O, [(1, prologue(2)), (2, prologue(2)[::-1])], "ours")
            args = ["--tid-map", "6=1,0=2,1=1,-1=2"] if mode == "manual_map" else []
            yield mk(f"tid_{mode}_{ti:02d}", "tid_types", c, o, args, desc=f"canary tid {t} ({mode})",
                     stdout_mode=(ti % 3 == 0))
    idxs = ['"1"', "1.0", "true", "1.5", "-1", "0", "null", "[1]", '{"a":1}', "NaN", "1e400", "5", "2", '"x"',
            "99999999999999999999", "0.5", "false", "-0.0", "1e16"]
    for ii, v in enumerate(idxs):
        for pos in (0, 1, 3, "missing1", "missing0", "all"):
            c_lines = [HDR_C]
            for i, (k, p) in enumerate(prologue(2)):
                if pos == "all":
                    c_lines.append(line(6, i, k, p, idx_text=v))
                elif pos == i:
                    c_lines.append(line(6, i, k, p, idx_text=v))
                elif (pos == "missing1" and i == 1) or (pos == "missing0" and i == 0):
                    c_lines.append(line(6, i, k, p).replace(f'"tid_event_idx":{i},', ""))
                else:
                    c_lines.append(line(6, i, k, p))
            c = ("\n".join(c_lines) + "\n").encode()
            o = build(HDR_O, [(1, prologue(2)[:5] + call("Diverge"))], "ours")
            yield mk(f"idx_{pos}_{ii:02d}", "idx_types", c, o, desc=f"canary tid_event_idx {v} at {pos}")
    kinds = ['"kernel.call"', "null", "1", "1.0", "true", '["x"]', '{"a":1}', '"KERNEL.CALL"', '"é"', '""',
             '"sema.release"', '"contention.observed"', '"signal.match"', '"wake.requested"', '"schema_version"',
             '"it\'s"', '"\\ud800"', "NaN"]
    for ki, kd in enumerate(kinds):
        for where in ("diverge", "both", "missing_both", "first"):
            c_ev = prologue(2)
            o_ev = prologue(2)
            c_lines = [HDR_C] + [line(6, i, k, p) for i, (k, p) in enumerate(c_ev)]
            o_lines = [HDR_O] + [line(1, i, k, p, engine="ours") for i, (k, p) in enumerate(o_ev)]
            if where == "diverge":
                c_lines[5] = line(6, 4, "RAW:" + kd, '{"name":"KeQueryPerformanceFrequency"}')
            elif where == "both":
                c_lines[5] = line(6, 4, "RAW:" + kd, '{"name":"KeQueryPerformanceFrequency","v":1}')
                o_lines[5] = line(1, 4, "RAW:" + kd, '{"name":"KeQueryPerformanceFrequency","v":2}', engine="ours")
            elif where == "missing_both":
                c_lines[5] = line(6, 4, "RAW:" + kd, '{"v":1}').replace('"kind":' + kd + ",", "")
                o_lines[5] = line(1, 4, "RAW:" + kd, '{"v":2}', engine="ours").replace('"kind":' + kd + ",", "")
            else:
                c_lines[1] = line(6, 0, "RAW:" + kd, '{"name":"XexCheckExecutablePrivilege"}')
            c = ("\n".join(c_lines) + "\n").encode("utf-8", "surrogatepass")
            o = ("\n".join(o_lines) + "\n").encode("utf-8", "surrogatepass")
            yield mk(f"kind_{where}_{ki:02d}", "kind_types", c, o, desc=f"kind {kd} ({where})")
    payloads = ["null", "[]", "[1]", '"s"', '""', "0", "1", "true", "{}", '{"name":null}', '{"name":1}',
                '{"name":["a"]}', '{"name":{"a":1}}', '{"name":""}', '{"name":0,"ord":7}', '{"ord":5}',
                '{"name":"é\\n"}', '{"name":"\\ud800"}', '{"name":1.5e300}', '{"name":true}', '{"name":"a","name":"b"}']
    for pi, pl in enumerate(payloads):
        for kind in ("kernel.call", "kernel.return", "import.call", "handle.create", "wait.begin", "thread.create",
                     "thread.exit", "sema.release", "custom.kind"):
            for where in ("diverge", "matched", "first", "missing", "next"):
                c_ev = prologue(2)
                o_ev = prologue(2)
                if where == "first":
                    c_ev[1] = (kind, pl)
                elif where == "missing":
                    c_ev[4] = (kind, None)
                    o_ev[4] = (kind, None)
                elif where == "matched":
                    c_ev[4] = (kind, pl)
                    o_ev[4] = (kind, pl)
                elif where == "next":
                    c_ev[4] = ("thread.exit", '{"a":1}')
                    c_ev[5] = (kind, pl)
                else:
                    c_ev[4] = (kind, pl)
                c, o = pair([(6, c_ev)], [(1, o_ev)])
                yield mk(f"payload_{where}_{kind}_{pi:02d}", "payload_types", c, o,
                         ["--emit-absorbed-events", "absorbed.jsonl"] if pi % 2 else [],
                         desc=f"payload {pl} on {kind} ({where})")
    # event line that is not an object / tid missing etc
    for vi, ev in enumerate(['[1,2]', '"str"', '5', 'null', '{"tid_event_idx":0}', '{"tid":6}',
                             '{"tid":6,"tid_event_idx":7,"kind":"x"}', '{"tid":6,"tid_event_idx":0}']):
        c = (HDR_C + "\n" + "\n".join(line(6, i, k, p) for i, (k, p) in enumerate(prologue(2))) + "\n" + ev + "\n").encode()
        o = build(HDR_O, [(1, prologue(2))], "ours")
        yield mk(f"evshape_{vi:02d}", "payload_types", c, o, desc=f"extra event {ev}")


# ---------------------------------------------------------------- CLI
def cli_cases():
    c, o = pair([(6, prologue(2) + call("A"))], [(1, prologue(2) + call("B"))])
    arglists = [
        ["--bogus"], ["--tid-map"], ["--out"], ["--tid-map", "6=1", "--tid-map", "6=2"], ["--validate-identical", "x"],
        ["--validate-identical=1"], ["--val"], ["--no-canon"], ["--no-canonicalize-a"], ["--no-canonicalize-h"],
        ["--dis", "wait-begin"], ["--disable-absorber=nested-cs"], ["--disable-absorber", "bogus"],
        ["--disable-absorber", "Wait-Begin"], ["--disable-absorber", "a,b,a"], ["--disable-absorber", ",,,"],
        ["--disable-absorber", "wait-begin,,nested-cs,shared-global"], ["--disable-absorber", "x'y,z\"w"],
        ["--disable-absorber", "é,\u00a0nested-cs"], ["--disable-absorber", "\x1cnested-cs\x1f"],
        ["--emit", "absorbed.jsonl"], ["--emit-absorbed-events"], ["--e", "absorbed.jsonl"], ["-h"], ["--help"],
        ["--h"], ["-x"], ["-"], ["--"], ["--", "x"], ["x"], ["--tid-map", "-6=1"], ["--tid-map=-6=1"],
        ["--tid-map", "-1"], ["--out", "-1"], ["--tid-map", "6=1", "extra"], ["--canary"], ["--ours", "--out"],
        ["--no-canonicalize-allocators=yes"], ["-hx"], ["--c", "canary.jsonl"], ["--o", "x"], ["--ou", "r2.md"],
        ["--canary=ours.jsonl"], ["--out=report.md", "--out=report.md"], ["--tid-map", "6=1", "--", "--bogus"],
        ["--disable-absorber", "-x"], ["--disable-absorber="], ["--tid-map="], ["--tid-map=,"], ["---x"],
        ["--bogus=1", "--also"], ["-c", "x"], ["--no"], ["--no-canonicalize-allocators", "--no-canonicalize-allocators"],
        ["--validate-identical", "--validate-identical"], ["-1"], ["-1.5"], ["--tid-map", "6=1", "-h"],
        ["--disable-absorber", "nested-cs", "--disable-absorber", "bogus"], ["--emit-absorbed-events", "a b"],
        ["--tid-map", " 6 = 1 "], ["--tid-map", ""], ["--disable-absorber", ""], ["--disable-absorber", " "],
        ["--out", ""], ["--emit-absorbed-events", ""], ["--help=x"], ["-hh"], ["--v"], ["--tid"],
        ["--emit-absorbed-events=absorbed.jsonl", "--emit-absorbed-events", "absorbed.jsonl"],
    ]
    for ai, a in enumerate(arglists):
        yield mk(f"cli_{ai:03d}", "cli", c, o, a, desc=f"args {a!r}")
        yield mk(f"cli_stdout_{ai:03d}", "cli", c, o, a, desc=f"args {a!r} (stdout mode)", stdout_mode=True)
    raws = [[], ["--canary", "canary.jsonl"], ["--ours", "ours.jsonl"], ["--canary", "canary.jsonl", "--ours"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--bogus", "--tid-map"],
            ["--ours", "ours.jsonl", "--canary", "canary.jsonl"], ["--canary", "missing.jsonl", "--ours", "ours.jsonl"],
            ["--canary", ".", "--ours", "ours.jsonl"], ["--canary", "canary.jsonl", "--ours", "missing.jsonl"],
            ["--canary", "./canary.jsonl", "--ours", ".//ours.jsonl", "--out", "./r.md"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "report.md/"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "nodir/report.md"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "."],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--emit-absorbed-events", "nodir/a.jsonl"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--emit-absorbed-events", "./a.jsonl",
             "--out", "x/../report.md"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--tid-map", "6=1", "-h"],
            ["--canary=canary.jsonl", "--ours=ours.jsonl", "--out=report.md"],
            ["--canary", "canary.jsonl", "--ours", "ours.jsonl", "--emit-absorbed-events", "report.md", "--out", "report.md"],
            ]
    for ri, r in enumerate(raws):
        yield mk(f"raw_{ri:02d}", "cli_raw", c, o, raw_argv=r, desc=f"argv {r!r}",
                 extra_files={"x": None}, check_files=("r.md", "a.jsonl"))
    # wide / narrow terminal affects argparse usage wrapping
    for cols in ("20", "60", "200", "abc"):
        yield mk(f"cli_cols_{cols}", "cli_raw", c, o, ["--bogus"], env={"COLUMNS": cols}, desc=f"COLUMNS={cols}")


def output_path_cases():
    sid = shared_sid(0x80001000, 3)
    hc = f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3}}'
    cev = prologue(2) + [("handle.create", hc)] + call("KeSetEvent") + call("A") * 3 + call("Diverge1")
    oev = prologue(2) + call("KeSetEvent") + call("A") * 3 + call("Diverge2")
    c, o = pair([(6, cev)], [(1, oev)])
    for i, a in enumerate([["--out", "canary.jsonl"], ["--out", "ours.jsonl"],
                           ["--emit-absorbed-events", "ours.jsonl"], ["--emit-absorbed-events", "canary.jsonl"],
                           ["--emit-absorbed-events", "report.md"], ["--out", "absorbed.jsonl", "--emit-absorbed-events",
                                                                       "absorbed.jsonl"],
                           ["--out", "./report.md"], ["--out", "report.md/"], ["--out", ".//report.md"],
                           ["--emit-absorbed-events", "./absorbed.jsonl"], ["--emit-absorbed-events", "absorbed.jsonl/"],
                           ["--canary", "./canary.jsonl"], ["--out", "/proc/version"], ["--out", "/dev/full"],
                           ["--emit-absorbed-events", "/dev/full"], ["--out", "/dev/null"]]):
        yield mk(f"outpath_{i:02d}", "output_paths", c, o, a, desc=f"{a!r}", check_files=("canary.jsonl", "ours.jsonl"))
        yield mk(f"outpath_stdout_{i:02d}", "output_paths", c, o, a, desc=f"{a!r} stdout mode", stdout_mode=True,
                 check_files=("canary.jsonl", "ours.jsonl"))
    # error in canary with a normalized path in the message
    yield mk("outpath_errpath", "output_paths", b"", o, ["--canary", "./canary.jsonl"], desc="error message path normalization")
    yield mk("outpath_errpath2", "output_paths", c, b"{}\n", ["--ours", ".//ours.jsonl"], desc="error message path normalization")
    yield mk("outpath_errpath3", "output_paths", c, b"{}\n", ["--ours", "x/../ours.jsonl"], desc="x/.. kept by Path",
             extra_files={"x": None})


# ---------------------------------------------------------------- tid mapping
def tidmap_cases():
    c, o = pair([(6, prologue(2) + call("A")), (7, call("NtCreateFile") + call("B")), (8, call("Other"))],
                [(1, prologue(2) + call("A")), (2, call("NtCreateFile") + call("C")), (3, call("Else"))])
    maps = ["6=1", "6=1,7=2", "7=2,6=1", "6=1,6=2", "6=2,7=1", "0x6=0x1", "0o6=1", "0b110=1", "06=1", "6=01",
            "6=1,", ",6=1", ",,", ",", "6", "6=", "=1", "6=1=2", "a=b", "6 = 1", "+6=+1", "-6=1", "6=-1", "1_0=1",
            "6=1,9=9", "9=1", "6=9", "١=1", "６=1", "6\u00a0=1", "6=1;7=2", "6:1", "6=1,7", "6==1", "6=0x", "0x=1",
            "6=1,7=2,8=3", "8=3,7=2,6=1", "99999999999999999999=1", "6=1,7=1", "6=1,x", "0=0", "6=1.0", "  6=1  ",
            "6=1\t,7=2", "6=1 7=2", "_6=1", "6_=1", "0_6=1", "0x_6=1", "6=ⅷ", "6=1,=", "x", "=", "6=1,,,7=2"]
    for mi, m in enumerate(maps):
        yield mk(f"tidmap_{mi:02d}", "tid_map", c, o, ["--tid-map", m], desc=f"--tid-map {m!r}",
                 stdout_mode=(mi % 4 == 1))
    # auto-mapping edge cases
    autos = {
        "no_kernel_call": ([(6, [("import.call", '{"name":"A"}')])], [(1, [("import.call", '{"name":"A"}')])]),
        "first_call_null_name": ([(6, [("kernel.call", '{"name":null}')] + call("A"))],
                                 [(1, [("kernel.call", '{"name":null}')] + call("A"))]),
        "first_call_no_name": ([(6, [("kernel.call", '{"x":1}')] + call("A"))], [(1, call("A"))]),
        "first_call_int_name": ([(6, [("kernel.call", '{"name":1}')])], [(1, [("kernel.call", '{"name":1.0}')])]),
        "first_call_bool_name": ([(6, [("kernel.call", '{"name":true}')])], [(1, [("kernel.call", '{"name":1}')])]),
        "first_call_list_name": ([(6, [("kernel.call", '{"name":["a"]}')])], [(1, [("kernel.call", '{"name":["a"]}')])]),
        "first_call_nan_name": ([(6, [("kernel.call", '{"name":NaN}')])], [(1, [("kernel.call", '{"name":NaN}')])]),
        "first_call_payload_null": ([(6, [("kernel.call", "null")])], [(1, call("A"))]),
        "first_call_payload_missing": ([(6, [("kernel.call", None)])], [(1, call("A"))]),
        "first_call_payload_list": ([(6, [("kernel.call", "[]")])], [(1, call("A"))]),
        "more_canary": ([(6, call("A")), (7, call("A")), (8, call("A"))], [(1, call("A"))]),
        "more_ours": ([(6, call("A"))], [(3, call("A")), (1, call("A")), (2, call("A"))]),
        "order_swap": ([(9, call("A")), (6, call("A"))], [(2, call("A")), (1, call("A"))]),
        "interleaved_names": ([(6, call("A")), (7, call("B")), (8, call("A"))], [(1, call("B")), (2, call("A")), (3, call("A"))]),
        "empty_ours_tid": ([(6, call("A") + call("X"))], [(1, call("A")[:2])]),
        "canary_only_header": ([], [(1, call("A"))]),
        "str_tids": ([('"b"', call("A")), ('"a"', call("A"))], [('"z"', call("A")), ('"y"', call("A"))]),
        "mixed_tids": ([(6, call("A")), ('"6"', call("A"))], [(1, call("A")), (2, call("A"))]),
        "neg_tids": ([(-6, call("A")), (0, call("A"))], [(-1, call("A")), (0, call("A"))]),
        "huge_tids": ([(10**20, call("A")), (10**19, call("A"))], [(2**64, call("A")), (1, call("A"))]),
        "float_tids": ([(6.5, call("A")), (6.25, call("A"))], [(1.5, call("A")), (1e16, call("A"))]),
        "same_tid_numbers": ([(6, call("A"))], [(6, call("A"))]),
        "bool_tids": ([(True, call("A")), (False, call("A"))], [(1, call("A")), (0.0, call("A"))]),
    }
    for an, (ct, ot) in autos.items():
        def conv(threads):
            out = []
            for tid, evs in threads:
                out.append((tid, evs))
            return out
        cl = [HDR_C]
        for tid, evs in ct:
            tt = tid if isinstance(tid, str) else J(tid)
            cl += [line(0, i, k, p, tid_text=tt) for i, (k, p) in enumerate(evs)]
        ol = [HDR_O]
        for tid, evs in ot:
            tt = tid if isinstance(tid, str) else J(tid)
            ol += [line(0, i, k, p, tid_text=tt, engine="ours") for i, (k, p) in enumerate(evs)]
        cb = ("\n".join(cl) + "\n").encode()
        ob = ("\n".join(ol) + "\n").encode()
        yield mk(f"auto_{an}", "tid_automap", cb, ob, desc=an)
        yield mk(f"auto_{an}_vi", "tid_automap", cb, ob, ["--validate-identical", "--emit-absorbed-events", "absorbed.jsonl"],
                 desc=an + " validate", stdout_mode=True)
    # many threads
    ct = [(100 + k, call(f"F{k % 7}") + call("G") * (k % 4)) for k in range(60)]
    ot = [(k, call(f"F{k % 7}") + call("G") * ((k + (k % 5 == 0)) % 4)) for k in range(60)]
    c, o = pair(ct, ot)
    yield mk("auto_many_threads", "tid_automap", c, o, desc="60 threads")
    yield mk("auto_many_threads_vi", "tid_automap", c, o, ["--validate-identical"], desc="60 threads validate")


# ---------------------------------------------------------------- absorbers
def enter_block(name="RtlEnterCriticalSection"):
    return call(name, args={"r3": "0x40001000"})


def absorber_cases():
    # nested-cs with k pairs
    for k in (0, 1, 2, 31, 32, 33, 34, 40):
        for conv in ("match", "name_mismatch", "kind_mismatch", "end"):
            cev = prologue(2) + [e for _ in range(k) for e in enter_block() + enter_block("RtlLeaveCriticalSection")]
            oev = prologue(2)
            if conv == "match":
                cev += enter_block("RtlLeaveCriticalSection") + call("After")
                oev += enter_block("RtlLeaveCriticalSection") + call("After")
            elif conv == "name_mismatch":
                cev += call("Foo")
                oev += enter_block("RtlLeaveCriticalSection")
            elif conv == "kind_mismatch":
                cev += [("thread.exit", "{}")]
                oev += enter_block("RtlLeaveCriticalSection")
            else:
                oev += enter_block("RtlLeaveCriticalSection")
            c, o = pair([(6, cev)], [(1, oev)])
            for flags in ([], ["--disable-absorber", "nested-cs"]):
                yield mk(f"ncs_{k:02d}_{conv}{'_dis' if flags else ''}", "absorber_nested_cs", c, o,
                         ["--emit-absorbed-events", "absorbed.jsonl"] + flags, desc=f"{k} pairs, {conv}")
    # nested-cs variants: engine-local inside window, broken blocks, ours side has Enter
    variants = {
        "engine_local_in_window": enter_block()[:1] + [("sema.release", "{}")] + enter_block()[1:] +
        enter_block("RtlLeaveCriticalSection"),
        "broken_leave": enter_block() + enter_block("RtlLeaveCriticalSection")[:2] + [("thread.exit", "{}")],
        "leave_first": enter_block("RtlLeaveCriticalSection") + enter_block(),
        "null_payload_in_block": enter_block()[:2] + [("kernel.return", "null")] + enter_block("RtlLeaveCriticalSection"),
        "list_payload_in_block": enter_block()[:2] + [("kernel.return", "[1]")] + enter_block("RtlLeaveCriticalSection"),
        "name_int_in_block": enter_block()[:2] + [("kernel.return", '{"name":1}')] + enter_block("RtlLeaveCriticalSection"),
    }
    for vn, seq in variants.items():
        cev = prologue(2) + seq + enter_block("RtlLeaveCriticalSection")
        oev = prologue(2) + enter_block("RtlLeaveCriticalSection")
        c, o = pair([(6, cev)], [(1, oev)])
        yield mk(f"ncs_var_{vn}", "absorber_nested_cs", c, o, ["--emit-absorbed-events", "absorbed.jsonl"], desc=vn)
    # convergence event with payload null / missing name on ours
    for on, opay in (("null", "null"), ("noname", '{"x":1}'), ("list", "[]"), ("int_name", '{"name":5}')):
        cev = prologue(2) + enter_block() + enter_block("RtlLeaveCriticalSection") + [("import.call", opay)]
        oev = prologue(2) + [("import.call", '{"name":"RtlLeaveCriticalSection"}'), ("import.call", opay)]
        c, o = pair([(6, cev)], [(1, oev)])
        yield mk(f"ncs_conv_{on}", "absorber_nested_cs", c, o, ["--emit-absorbed-events", "absorbed.jsonl"], desc=on)

    # shared-global
    sid = shared_sid(0x80001000, 3)
    variants = {
        "recipe_canary": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "recipe_ours": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3}}', "o"),
        "raw_upper": (f'{{"raw_handle_id":"0X80001000","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "raw_noprefix": (f'{{"raw_handle_id":"80001000","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "raw_spaces": (f'{{"raw_handle_id":" 0x80001000 ","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "raw_underscore": (f'{{"raw_handle_id":"0x8000_1000","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "raw_plus": (f'{{"raw_handle_id":"+0x80001000","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "raw_int": (f'{{"raw_handle_id":2147487744,"handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "objtype_true": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{shared_sid(0x80001000, 1)}","object_type":true}}', "c"),
        "objtype_float": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{shared_sid(0x80001000, 3)}","object_type":3.0}}', "c"),
        "objtype_neg": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{shared_sid(0x80001000, -1)}","object_type":-1}}', "c"),
        "objtype_huge": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{shared_sid(0x80001000, 2**40 + 3)}","object_type":{2**40 + 3}}}', "c"),
        "raw_neg": (f'{{"raw_handle_id":"-0x1","handle_semantic_id":"{shared_sid(-1, 3)}","object_type":3}}', "c"),
        "raw_huge": (f'{{"raw_handle_id":"0x1{"0" * 20}1","handle_semantic_id":"{shared_sid(0x1 << 80 | 1, 3)}","object_type":3}}', "c"),
        "sid_upper": (f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid.upper()}","object_type":3}}', "c"),
        "raw_arabic": (f'{{"raw_handle_id":"\u0668","handle_semantic_id":"{shared_sid(8, 3)}","object_type":3}}', "c"),
        "raw_fullwidth": (f'{{"raw_handle_id":"０x８","handle_semantic_id":"{shared_sid(8, 3)}","object_type":3}}', "c"),
        "raw_empty": (f'{{"raw_handle_id":"","handle_semantic_id":"{sid}","object_type":3}}', "c"),
        "sid_int": ('{"raw_handle_id":"0x80001000","handle_semantic_id":5,"object_type":3}', "c"),
        "no_match": ('{"raw_handle_id":"0x80001000","handle_semantic_id":"deadbeefdeadbeef","object_type":3}', "c"),
    }
    for vn, (hc, side) in variants.items():
        for nxt in ("call", "handle", "end", "wait"):
            cev = prologue(2)
            oev = prologue(2)
            tail = {"call": call("KeSetEvent"), "handle": [("handle.create", '{"raw_handle_id":"0x1","handle_semantic_id":"11","object_type":1}')],
                    "end": [], "wait": [("wait.begin", '{"handles_semantic_ids":["x"],"wait_type":"any"}')]}[nxt]
            if side == "c":
                cev += [("handle.create", hc)] + tail
                oev += tail
            else:
                oev += [("handle.create", hc)] + tail
                cev += tail
            c, o = pair([(6, cev)], [(1, oev)])
            yield mk(f"sg_{vn}_{nxt}", "absorber_shared_global", c, o, ["--emit-absorbed-events", "absorbed.jsonl"],
                     desc=f"{vn} then {nxt}")
    # cross-tid heuristic: SID used on 2 tids in one engine
    for vn, (sidtxt, handles) in {
        "cross_tid": ('"abc"', '["abc"]'), "empty_sid": ('""', '[""]'), "str_handles": ('"a"', '"ab"'),
        "dict_handles": ('"k"', '{"k":1}'), "int_handles": ('"z"', "5"), "null_handles": ('"z"', "null"),
        "mixed_handles": ('"q"', '[1,null,"q",["q"]]'), "dup_handles": ('"q"', '["q","q"]'),
        "bool_handles": ('"z"', "true"), "float_handles": ('"z"', "0.0"), "empty_str_handles": ('"z"', '""'),
    }.items():
        cev6 = prologue(2) + [("handle.create", f'{{"raw_handle_id":"0x1","handle_semantic_id":{sidtxt},"object_type":1}}')] + call("X")
        cev7 = call("NtCreateFile") + [("wait.begin", f'{{"handles_semantic_ids":{handles},"wait_type":"all"}}')] + call("Y")
        oev1 = prologue(2) + call("X")
        oev2 = call("NtCreateFile") + call("Y")
        c, o = pair([(6, cev6), (7, cev7)], [(1, oev1), (2, oev2)])
        for flags in ([], ["--disable-absorber", "wait-begin"], ["--disable-absorber", "shared-global"]):
            yield mk(f"sgx_{vn}{'_' + flags[1] if flags else ''}", "absorber_cross_tid", c, o,
                     ["--emit-absorbed-events", "absorbed.jsonl"] + flags, desc=vn)
        # ours side has them
        c2, o2 = pair([(6, oev1), (7, oev2)], [(1, cev6), (2, cev7)])
        yield mk(f"sgx_{vn}_oursside", "absorber_cross_tid", c2, o2, ["--emit-absorbed-events", "absorbed.jsonl"], desc=vn)
    # handle.create with missing sid when "" is floating
    cev6 = prologue(2) + [("handle.create", '{"raw_handle_id":"0x1","handle_semantic_id":"","object_type":1}')] + call("X")
    cev7 = call("NtCreateFile") + [("handle.create", '{"raw_handle_id":"0x1","handle_semantic_id":"","object_type":1}')]
    cev8 = call("Other") + [("handle.create", '{"raw_handle_id":"0x1","object_type":1}')] + call("Z")
    c, o = pair([(6, cev6), (7, cev7), (8, cev8)], [(1, prologue(2) + call("X")), (2, call("NtCreateFile")), (3, call("Other") + call("Z"))])
    yield mk("sgx_missing_sid_floating_empty", "absorber_cross_tid", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    # both sides handle.create / both wait.begin -> no absorb
    cw = prologue(2) + [("wait.begin", '{"handles_semantic_ids":["s1"],"wait_type":"any"}')] + call("A")
    ow = prologue(2) + [("wait.begin", '{"handles_semantic_ids":["s2"],"wait_type":"all"}')] + call("A")
    c, o = pair([(6, cw), (7, call("NtCreateFile") + [("wait.begin", '{"handles_semantic_ids":["s1"]}')])],
                [(1, ow), (2, call("NtCreateFile") + [("wait.begin", '{"handles_semantic_ids":["s2"]}')])])
    yield mk("wb_both_wait", "absorber_wait_begin", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    # wait-begin absorber before nested-cs / ordering of absorbers, multiple absorptions in a row
    sid = shared_sid(0x80002000, 4)
    hc = f'{{"raw_handle_id":"0x80002000","handle_semantic_id":"{sid}","object_type":4}}'
    wb = f'{{"handles_semantic_ids":["{sid}"],"wait_type":"any","timeout":null,"alertable":false}}'
    cev = prologue(2) + [("handle.create", hc), ("wait.begin", wb), ("handle.create", hc), ("sema.release", "{}")] + \
        enter_block() + enter_block("RtlLeaveCriticalSection") + enter_block("RtlLeaveCriticalSection") + [("wait.begin", wb)] + call("End")
    oev = prologue(2) + [("wait.begin", wb), ("contention.observed", "{}")] + enter_block("RtlLeaveCriticalSection") + \
        [("handle.create", hc)] + call("End2")
    c, o = pair([(6, cev)], [(1, oev)])
    for flags in ([], ["--disable-absorber", "wait-begin"], ["--disable-absorber", "shared-global,nested-cs"],
                  ["--disable-absorber", "shared-global,wait-begin,nested-cs"]):
        yield mk(f"abs_combo{'_' + flags[1].replace(',', '+') if flags else ''}", "absorber_combo", c, o,
                 ["--emit-absorbed-events", "absorbed.jsonl"] + flags + ["--validate-identical"])
    # all noise / engine local / sema counts
    noise = [("sema.release", '{"sid":"1"}'), ("contention.observed", "{}"), ("signal.match", "null"), ("wake.requested", "[]")]
    c, o = pair([(6, noise * 3 + prologue(2) + noise), (7, noise)], [(1, prologue(2) + noise * 2), (2, noise * 5)])
    yield mk("noise_all", "noise", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    c, o = pair([(6, noise)], [(1, noise)])
    yield mk("noise_only", "noise", c, o, [])
    yield mk("noise_only_map", "noise", c, o, ["--tid-map", "6=1"])
    c, o = pair([(6, call("A")), (9, [("sema.release", "{}")] * 3), (True, [("sema.release", "{}")])],
                [(1, call("A")), (4, [("sema.release", "{}")] * 2)])
    yield mk("noise_sema_unmapped_tids", "noise", c, o, [])
    c, o = pair([(6, call("A"))], [(1, call("A"))])
    yield mk("identical_min", "identical", c, o, ["--validate-identical"])
    yield mk("identical_min_stdout", "identical", c, o, ["--validate-identical"], stdout_mode=True)
    # divergence at index 0, one side empty after mapping
    c, o = pair([(6, call("A"))], [(1, [("kernel.call", '{"name":"A","args":{}}')] + call("A"))])
    yield mk("div_at_0", "divergence", c, o, ["--validate-identical"])
    c, o = pair([(6, call("A") + call("B") * 10)], [(1, call("A"))])
    yield mk("div_one_side_short", "divergence", c, o, ["--validate-identical"])
    # ctx_ptr canonicalization variants
    for vi, v in enumerate(['"0x1"', "1", "null", '""', "[1]", '"0X1"', '"zz"']):
        cev = prologue(2) + [("thread.create", f'{{"entry_pc":"0x8200","ctx_ptr":{v},"ctx_ptr":"0x2"}}'),
                             ("thread.create", f'{{"ctx_ptr":{v},"entry_pc":"0x8200"}}')] + call("Q")
        oev = prologue(2) + [("thread.create", '{"entry_pc":"0x8200","ctx_ptr":"0x9"}'),
                             ("thread.create", f'{{"ctx_ptr":{v},"entry_pc":"0x8201"}}')] + call("Q")
        c, o = pair([(6, cev)], [(1, oev)])
        for flags in ([], ["--no-canonicalize-host-heap-fields"]):
            yield mk(f"ctx_{vi}{'_raw' if flags else ''}", "canonicalization", c, o, flags)
    # allocator canonicalization
    for vi, (rv, st) in enumerate([('"0x1"', '"0x1"'), ("1", None), ("null", '"x"'), ('"0x1"', None), ("[1]", "{}")]):
        for nm in ("MmAllocatePhysicalMemoryEx", "RtlAllocateHeap", "MmGetPhysicalAddress", "NtAllocateVirtualMemoryX"):
            pl = f'{{"name":"{nm}","return_value":{rv}' + (f',"status":{st}' if st else "") + "}"
            cev = prologue(2) + [("kernel.return", pl)] * 3 + call("A")
            oev = prologue(2) + [("kernel.return", pl.replace("0x1", "0x2"))] * 2 + call("A")
            c, o = pair([(6, cev)], [(1, oev)])
            for flags in ([], ["--no-canonicalize-allocators"]):
                yield mk(f"alloc_{vi}_{nm}{'_raw' if flags else ''}", "canonicalization", c, o,
                         flags + ["--emit-absorbed-events", "absorbed.jsonl"])


def compare_cases():
    """compare_payload / args / skip-field subtleties."""
    P = [
        ('{"name":"F","return_value":"0x1"}', '{"name":"F","status":"0x1"}'),
        ('{"name":"F","return_value":"0x1","status":"0x0"}', '{"name":"G","return_value":"0x1","status":"0x1"}'),
        ('{"name":"","return_value":1}', '{"name":"G","return_value":2}'),
        ('{"return_value":1}', '{"return_value":2}'),
        ('{"name":"F","x":null}', '{"name":"F"}'), ('{"name":"F"}', '{"name":"F","x":null}'),
        ('{"name":"F"}', '{"name":"F","x":0}'), ('{"name":"F","x":1}', '{"name":"F"}'),
        ('{"name":"F","return_value":null}', '{"name":"F"}'),
        ('{"b":1,"a":2}', '{"a":3,"b":4}'), ('{"a":1,"b":2,"a":3}', '{"a":1,"b":2}'),
        ('{"name":"F","status":"0x1","return_value":"0x1"}', '{"name":"F","status":"0x2","return_value":"0x3"}'),
    ]
    for i, (a, b) in enumerate(P):
        c, o = pair([(6, prologue(2) + [("kernel.return", a)])], [(1, prologue(2) + [("kernel.return", b)])])
        yield mk(f"cmp_ret_{i:02d}", "compare", c, o)
    A = [
        ('{"name":"F","args":{"a":1,"b":2}}', '{"name":"F","args":{"b":2,"a":1}}'),
        ('{"name":"F","args":{"a":1}}', '{"name":"F","args":{"a":1,"b":null}}'),
        ('{"name":"F","args":{"a":1,"b":null}}', '{"name":"F","args":{"a":1}}'),
        ('{"name":"F","args":{"a":1}}', '{"name":"F","args":{"a":2},"args_resolved":{"p":1}}'),
        ('{"name":"F","args":[1]}', '{"name":"F","args":[2]}'),
        ('{"name":"F","args":{"a":1}}', '{"name":"F","args":null}'),
        ('{"name":"F","args_resolved":{"path":"\\\\Device\\\\Harddisk0\\\\é"}}', '{"name":"F","args_resolved":{"path":"\\\\Device\\\\x"}}'),
        ('{"name":null,"args":{"a":1}}', '{"name":"G","args":{"a":2}}'),
        ('{"name":0,"args":{"a":1}}', '{"name":0,"args":{"a":2}}'),
        ('{"name":"F","args":{"a":NaN}}', '{"name":"F","args":{"a":NaN}}'),
        ('{"name":"F","args":{},"args_resolved":{"x":{"y":[1,2]}}}', '{"name":"F","args":{},"args_resolved":{"x":{"y":[1,3]}}}'),
        ('{"name":"F","args":{"a":1,"a":2}}', '{"name":"F","args":{"a":2}}'),
        ('{"name":"F","args":{"z":1,"a":1}}', '{"name":"F","args":{"a":2,"q":5}}'),
        ('{"name":"F","args":{"r3":"0x1"},"x":1}', '{"name":"F","args":{"r3":"0x1"},"x":2}'),
        ('{"name":"F","args":{}}', '{"name":"F","args":{"new":null}}'),
    ]
    for i, (a, b) in enumerate(A):
        c, o = pair([(6, prologue(2) + [("kernel.call", a)])], [(1, prologue(2) + [("kernel.call", b)])])
        yield mk(f"cmp_args_{i:02d}", "compare", c, o)
    # skip fields per kind
    S = [("handle.create", '{"raw_handle_id":"0x1","handle_semantic_id":"a","object_type":1}',
          '{"raw_handle_id":"0x2","handle_semantic_id":"b","object_type":1}'),
         ("handle.destroy", '{"raw_handle_id":"0x1","handle_semantic_id":"a"}', '{"handle_semantic_id":"b","x":null}'),
         ("thread.create", '{"handle_semantic_id":"a","parent_tid":6,"ctx_ptr":"0x1"}', '{"parent_tid":1,"ctx_ptr":"0x2"}'),
         ("wait.begin", '{"handles_semantic_ids":["a"]}', '{"handles_semantic_ids":["b"]}'),
         ("wait.end", '{"wait_duration_cycles":1,"woken_by_semantic_id":"a","status":"0x0"}',
          '{"wait_duration_cycles":2,"status":"0x0"}'),
         ("wait.end", '{"wait_duration_cycles":1}', '{"status":"0x0"}'),
         ("handle.create", '{"handle_semantic_id":"a","object_type":1}', '{"handle_semantic_id":"a","object_type":true}'),
         ("kernel.call", '{"name":"F","engine":"x"}', '{"name":"F","engine":"y"}'),
         ("custom", '{"host_ns":1}', '{"host_ns":2}')]
    for i, (k, a, b) in enumerate(S):
        c, o = pair([(6, prologue(2) + [(k, a)] + call("Q"))], [(1, prologue(2) + [(k, b)] + call("R"))])
        yield mk(f"cmp_skip_{i:02d}", "compare", c, o)
    # top-level fields other than payload differing (ignored)
    c = build(HDR_C, [(6, call("A"))], "canary").replace(b'"deterministic":false', b'"deterministic":false,"extra":1', 1)
    o = build(HDR_O, [(1, call("A"))], "ours")
    yield mk("cmp_top_extra", "compare", c, o, ["--validate-identical"])
    # pre-context longer than 5, exotic render forms
    cev = [("thread.create", '{"b":1,"a":"x"}'), ("custom.k", '{"é":"\\n"}'), ("wait.end", "[1]"), ("handle.create", '{"x":1}'),
           ("handle.destroy", '{"handle_semantic_id":null}'), ("import.call", '{"ord":7}'), ("import.call", '{"name":"","ord":0}'),
           ("kernel.call", '{"name":"N"}')] + call("A")
    oev = [e for e in cev[:-1]] + [("kernel.return", '{"name":"A","return_value":"0x1","status":"0x0"}')]
    c, o = pair([(6, cev)], [(1, oev)])
    yield mk("render_forms", "compare", c, o, ["--tid-map", "6=1"])
    # idx rendering
    for i, ix in enumerate(["1e16", "1.5", '"q"', "[1]", "-1", "true", "12345678901234567890123"]):
        cl = [HDR_C, line(6, 0, "kernel.call", '{"name":"A"}'), line(6, 1, "kernel.call", '{"name":"B"}', idx_text=ix)]
        ol = [HDR_O, line(1, 0, "kernel.call", '{"name":"A"}', engine="ours"),
              line(1, 1, "kernel.call", '{"name":"C"}', idx_text=ix, engine="ours")]
        yield mk(f"render_idx_{i}", "compare", ("\n".join(cl) + "\n").encode(), ("\n".join(ol) + "\n").encode(),
                 ["--validate-identical"])


def targeted_cases():
    for gen in (value_cases, malformed_cases, header_cases, field_cases, cli_cases, output_path_cases, tidmap_cases,
                absorber_cases, compare_cases, extra_cases, surrogate_cases, precedence_cases,
                unicode_table_cases, scale_cases, key_cases):
        yield from gen()


# ---------------------------------------------------------------- randomized
def random_cases(n, seed):
    rng = random.Random(seed)
    names = ["RtlEnterCriticalSection", "RtlLeaveCriticalSection", "NtCreateFile", "KeSetEvent",
             "MmAllocatePhysicalMemoryEx", "RtlAllocateHeap", "XexCheckExecutablePrivilege", "NtWaitForSingleObjectEx"]
    vals = VALUES + ['"0x00000000"', '"0x00000001"']
    for ci in range(n):
        nthreads = rng.choice([1, 1, 2, 3])
        sids = [shared_sid(0x80000000 + 16 * k, k % 5) for k in range(4)] + ["aaaa", "bbbb"]

        def thread_events(first):
            evs = call(first)
            for _ in range(rng.randrange(3, 30)):
                r = rng.random()
                if r < 0.35:
                    nm = rng.choice(names)
                    evs += call(nm, args={"a": json.loads(rng.choice(['1', '"x"', "null"]))}, ret=rng.choice(["0x0", "0x1"]))
                elif r < 0.45:
                    s = rng.choice(sids)
                    evs.append(("handle.create", f'{{"raw_handle_id":"0x{0x80000000 + 16 * sids.index(s):x}",'
                                f'"handle_semantic_id":"{s}","object_type":{sids.index(s) % 5}}}'))
                elif r < 0.55:
                    evs.append(("wait.begin", f'{{"handles_semantic_ids":["{rng.choice(sids)}"],"wait_type":"any"}}'))
                elif r < 0.62:
                    evs.append((rng.choice(["sema.release", "contention.observed", "signal.match", "wake.requested"]), "{}"))
                elif r < 0.75:
                    k = rng.randrange(1, 4)
                    evs += [e for _ in range(k) for e in enter_block() + enter_block("RtlLeaveCriticalSection")]
                elif r < 0.85:
                    evs.append((rng.choice(["thread.create", "thread.exit", "wait.end", "x.y"]),
                                f'{{"v":{rng.choice(vals)},"ctx_ptr":"0x{rng.randrange(1 << 32):x}"}}'))
                else:
                    evs.append(("kernel.return", f'{{"name":"{rng.choice(names)}","return_value":{rng.choice(vals)}}}'))
            return evs

        firsts = [rng.choice(["A", "B", "NtCreateFile"]) for _ in range(nthreads)]
        cth = [(6 + t, thread_events(firsts[t])) for t in range(nthreads)]
        oth = []
        for t, (tid, evs) in enumerate(cth):
            evs = list(evs)
            for _ in range(rng.randrange(0, 4)):
                if not evs:
                    break
                op = rng.random()
                p = rng.randrange(len(evs))
                if op < 0.3:
                    del evs[p]
                elif op < 0.6:
                    evs.insert(p, rng.choice([("wait.begin", f'{{"handles_semantic_ids":["{rng.choice(sids)}"]}}'),
                                              ("sema.release", "{}"), ("handle.create", f'{{"handle_semantic_id":"{rng.choice(sids)}"}}')]))
                elif op < 0.8 and p + 1 < len(evs) and evs[p][0] == "import.call":
                    evs[p] = ("import.call", '{"name":"RtlLeaveCriticalSection"}')
                else:
                    evs[p] = (evs[p][0], evs[p][1].replace("0x1", "0x2"))
            oth.append((1 + t, evs))
        rng.shuffle(oth)
        c, o = pair(cth, oth)
        flags = rng.choice([[], ["--emit-absorbed-events", "absorbed.jsonl"], ["--validate-identical"],
                            ["--disable-absorber", rng.choice(["wait-begin", "nested-cs", "shared-global"]),
                             "--emit-absorbed-events", "absorbed.jsonl"], ["--no-canonicalize-allocators"]])
        yield mk(f"rnd_{seed}_{ci:04d}", "random", c, o, flags, stdout_mode=rng.random() < 0.2)


def extra_cases():
    """Chunked UTF-8 decoding, nesting depth, int digit limits, key sorting."""
    good_o = build(HDR_O, [(1, prologue(3))], "ours")
    # invalid UTF-8 near / far from an earlier JSON error (TextIOWrapper decodes 8 KiB chunks)
    for dist in (10, 4000, 9000, 20000, 200000):
        for kind in ("json_error", "order_error", "none"):
            evs = [line(6, i, k, p) for i, (k, p) in enumerate(prologue(3))]
            lines = [HDR_C] + evs[:3]
            if kind == "json_error":
                lines.append("garbage")
            elif kind == "order_error":
                lines.append(line(6, 0, "kernel.call", '{"name":"X"}'))
            filler_n = max(1, dist // 200)
            lines += [line(7, i, "thread.exit", '{"pad":"' + "p" * 120 + '"}') for i in range(filler_n)]
            data = ("\n".join(lines) + "\n").encode() + b'{"tid":7,"x":"\xff"}\n'
            for bad in (b"\xff", b"\xed\xa0\x80", b"\xc0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"):
                d = data.replace(b"\xff", bad)
                yield mk(f"utf8_{kind}_{dist}_{bad.hex()}", "utf8_chunks", d, good_o,
                         desc=f"{kind} then invalid UTF-8 {bad.hex()} ~{dist} bytes later")
    # truncated multi-byte sequence at EOF without newline
    c = build(HDR_C, [(6, prologue(3))], "canary") + b'{"tid":6,"x":"\xe2\x82'
    yield mk("utf8_trunc_eof", "utf8_chunks", c, good_o)
    # valid but unusual UTF-8: noncharacters, max code point, BOM in middle of a string
    for i, s in enumerate(["\ufffe", "\U0010ffff", "\ufeff", "\u0000".replace("\u0000", "\\u0000"), "\U000e0100"]):
        c = build(HDR_C, [(6, prologue(2) + [("thread.exit", J({"s": s}))])], "canary")
        o = build(HDR_O, [(1, prologue(2) + [("thread.exit", '{"s":"x"}')])], "ours")
        yield mk(f"utf8_valid_{i}", "utf8_chunks", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    # nesting depth in matched (not rendered), rendered and absorbed events
    for depth in (100, 300, 500, 700, 800, 900, 950, 970, 980, 985, 990, 995, 1000, 1100):
        nest = "[" * depth + "]" * depth
        nd = "".join('{"a":' for _ in range(depth)) + "1" + "}" * depth
        for where in ("matched", "rendered", "tail"):
            cev = prologue(2)
            oev = prologue(2)
            if where == "matched":
                cev += [("thread.exit", f'{{"x":{nest}}}')] + call("A")
                oev += [("thread.exit", f'{{"x":{nest}}}')] + call("B")
            elif where == "rendered":
                cev += [("thread.exit", f'{{"x":{nd}}}')]
                oev += [("thread.exit", '{"x":1}')]
            else:
                cev += call("A") + [("thread.exit", f'{{"x":{nest}}}')]
                oev += call("B")
            c, o = pair([(6, cev)], [(1, oev)])
            yield mk(f"depth_{where}_{depth}", "nesting_depth", c, o, desc=f"depth {depth} {where}")
    # integer digit limit (sys.int_info.str_digits_check_threshold: 4300)
    for nd_ in (4299, 4300, 4301, 5000):
        for sign in ("", "-"):
            v = sign + "1" + "0" * (nd_ - 1)
            for where in ("matched", "rendered", "tail", "header_extra"):
                cev = prologue(2)
                oev = prologue(2)
                hc = HDR_C
                if where == "matched":
                    cev += [("thread.exit", f'{{"x":{v}}}')] + call("A")
                    oev += [("thread.exit", f'{{"x":{v}}}')] + call("B")
                elif where == "rendered":
                    cev += [("thread.exit", f'{{"x":{v}}}')]
                    oev += [("thread.exit", '{"x":1}')]
                elif where == "tail":
                    cev += call("A") + [("thread.exit", f'{{"x":{v}}}')]
                    oev += call("B")
                else:
                    hc = HDR_C[:-1] + f',"big":{v}}}'
                c, o = pair([(6, cev)], [(1, oev)], hc=hc)
                yield mk(f"digits_{where}_{sign or 'p'}{nd_}", "int_digits", c, o, desc=f"{nd_}-digit int {where}")
    # float literal forms with many digits / exponents
    for i, v in enumerate(["1" + "0" * 5000 + ".0", "0." + "0" * 5000 + "1", "1e" + "9" * 30, "1e-" + "9" * 30,
                           "123456789" * 100 + "e-800", "4.9406564584124654e-324", "2.2250738585072011e-308",
                           "2.2250738585072014e-308", "9007199254740993.0", "0.1e1", "1.00000000000000011102230246251565",
                           "1.00000000000000011102230246251566"]):
        c = build(HDR_C, [(6, prologue(2) + [("thread.exit", f'{{"x":{v}}}')])], "canary")
        o = build(HDR_O, [(1, prologue(2) + [("thread.exit", '{"x":"y"}')])], "ours")
        yield mk(f"floatlit_{i:02d}", "values", c, o)
    # key sorting in json.dumps(sort_keys=True) and repr order
    keys = ["é", "e", "\ud800", "\ue000", "😀", "\uffff", "", "Z", "a", "\u0100", "\U00010000", "\udbff\udfff"]
    pl_escaped = "{" + ",".join(json.dumps(k) + f":{n}" for n, k in enumerate(keys)) + "}"
    c = build(HDR_C, [(6, prologue(2) + [("thread.exit", pl_escaped)])], "canary")
    o = build(HDR_O, [(1, prologue(2) + [("thread.exit", '{"x":"y"}')])], "ours")
    yield mk("keysort_escaped", "values", c, o)
    sid = shared_sid(0x80001000, 3)
    hc = pl_escaped[:-1] + f',"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3}}'
    c = build(HDR_C, [(6, prologue(2) + [("handle.create", hc)] + call("K"))], "canary")
    o = build(HDR_O, [(1, prologue(2) + call("K"))], "ours")
    yield mk("keysort_absorbed", "values", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    # absorbed with odd tids
    for ti, (ct, ot) in enumerate([('"6"', '"1"'), ("6.0", "1.0"), ("true", "false"), ("-0.0", "1e16")]):
        cl = [HDR_C] + [line(0, i, k, p, tid_text=ct) for i, (k, p) in
                        enumerate(prologue(2) + [("handle.create", hc)] + call("K"))]
        ol = [HDR_O] + [line(0, i, k, p, tid_text=ot, engine="ours") for i, (k, p) in enumerate(prologue(2) + call("K"))]
        yield mk(f"abs_tids_{ti}", "tid_types", ("\n".join(cl) + "\n").encode("utf-8", "surrogatepass"),
                 ("\n".join(ol) + "\n").encode(), ["--emit-absorbed-events", "absorbed.jsonl", "--validate-identical"])
    # NaN tids
    for ni, spec in enumerate([("NaN", "NaN"), ("NaN", "1"), ("6", "NaN")]):
        cl = [HDR_C] + [line(0, 0, "kernel.call", '{"name":"A"}', tid_text=spec[0]) for _ in range(3)] + \
            [line(6, 0, "kernel.call", '{"name":"A"}')]
        ol = [HDR_O] + [line(0, 0, "kernel.call", '{"name":"A"}', tid_text=spec[1], engine="ours") for _ in range(2)] + \
            [line(5, 0, "kernel.call", '{"name":"A"}', engine="ours")]
        yield mk(f"nan_tids_{ni}", "tid_types", ("\n".join(cl) + "\n").encode(), ("\n".join(ol) + "\n").encode())
    # payload strings that touch canonicalization membership tests
    for pi, pl in enumerate(['"has ctx_ptr inside"', '["ctx_ptr"]', '"no"', '["a"]', '"status"', '"name"']):
        for kind in ("thread.create", "kernel.return"):
            c = build(HDR_C, [(6, prologue(2) + [(kind, pl)] + call("A"))], "canary")
            o = build(HDR_O, [(1, prologue(2) + call("B"))], "ours")
            yield mk(f"canon_member_{kind}_{pi}", "payload_types", c, o)
    # idx comparisons of exotic but orderable types
    for ii, seq in enumerate([['"a"', '"b"', '"c"'], ['"b"', '"a"'], ["[0]", "[1]", "[1,0]"], ["[1]", "[0]"],
                              ["0", "0.5", "true", "2"], ["0", "false"], ["0", "NaN", "0"], ["NaN", "NaN"],
                              ["0", "2", "1"], ["0", "1e400", "5"], ["0", "-1"], ['[0]', '["a"]'], ["0", '"1"'],
                              ["5", "6", "7"], ["1", "2", "3"], ["0", "1", "1"], ["0", "null"], ["null", "1"],
                              ["[]", "[]"], ["0", "1", "[]"], ['{}', '{}'], ["0", "{}"]]):
        cl = [HDR_C] + [line(6, 0, "kernel.call", '{"name":"A"}', idx_text=x) for x in seq]
        o = build(HDR_O, [(1, [("kernel.call", '{"name":"A"}')] * len(seq))], "ours")
        yield mk(f"idxseq_{ii:02d}", "idx_types", ("\n".join(cl) + "\n").encode(), o, desc=f"idx sequence {seq}")


def surrogate_cases():
    """Lone surrogates reaching str() output: report file (strict -> crash),
    stdout (C.UTF-8 locale: surrogateescape) and stderr (backslashreplace)."""
    for i, v in enumerate(['"\\udc80"', '"\\ud800"', '"\\udcff x"', '"ok \\udcc3\\udca9"']):
        for where in ("rv_name", "call_name", "sid", "kind"):
            if where == "rv_name":
                c = prologue() + [("kernel.return", f'{{"name":{v},"return_value":"0x1","status":"0x0"}}')]
                o = prologue() + [("kernel.return", '{"name":"X","return_value":"0x2","status":"0x0"}')]
            elif where == "call_name":
                c = prologue() + [("kernel.call", f'{{"name":{v},"args":{{"a":1}}}}')]
                o = prologue() + [("kernel.call", f'{{"name":{v},"args":{{"a":2}}}}')]
            elif where == "sid":
                c = prologue() + [("handle.create", f'{{"handle_semantic_id":{v},"object_type":1}}')]
                o = prologue() + [("handle.create", f'{{"handle_semantic_id":{v},"object_type":2}}')]
            else:
                c = prologue() + [("RAW:" + v, '{"a":1}')]
                o = prologue() + [("RAW:" + v, '{"a":2}')]
            cb, ob = pair([(6, c)], [(1, o)])
            for flags in ([], ["--validate-identical"]):
                yield mk(f"surr_stdout_{where}_{i}{'_vi' if flags else ''}", "surrogates", cb, ob, flags, stdout_mode=True)
            yield mk(f"surr_file_{where}_{i}", "surrogates", cb, ob, [])


def precedence_cases():
    """Which error wins when several are present (the reference's phase order:
    argparse -> --disable-absorber -> load canary (JSON errors line by line,
    then per-tid order check in tid insertion order) -> load ours ->
    canonicalization -> --tid-map parse / auto map -> 'no tid mapping' ->
    shared-global SID collection -> diff -> absorbed file -> report)."""
    good_c, good_o = pair([(6, prologue(2))], [(1, prologue(2))])

    def lines_of(hdr, tid, evs, engine="canary"):
        return [hdr] + [line(tid, i, k, p, engine=engine) for i, (k, p) in enumerate(evs)]

    def enc(ls):
        return ("\n".join(ls) + "\n").encode()
    # order problem on tid 7 (first seen) at a later line than tid 6's problem
    ls = [HDR_C, line(7, 0, "kernel.call", '{"name":"A"}'), line(6, 0, "kernel.call", '{"name":"A"}'),
          line(6, 0, "kernel.call", '{"name":"B"}'), line(7, 1, "kernel.call", '{"name":"B"}'),
          line(7, 1, "kernel.call", '{"name":"C"}')]
    yield mk("prec_order_tid_insertion", "precedence", enc(ls), good_o)
    # out-of-order early, JSON error later -> JSON error
    ls = lines_of(HDR_C, 6, prologue(3))
    ls[3] = line(6, 0, "kernel.call", '{"name":"X"}')
    ls.insert(8, "garbage")
    yield mk("prec_order_then_json", "precedence", enc(ls), good_o)
    # missing idx (crash in order check) early, JSON error later -> clean JSON error
    ls = lines_of(HDR_C, 6, prologue(3))
    ls[3] = ls[3].replace('"tid_event_idx":2,', "")
    ls.insert(8, "garbage")
    yield mk("prec_missing_idx_then_json", "precedence", enc(ls), good_o)
    # canary order error vs ours JSON error -> canary
    ls = lines_of(HDR_C, 6, prologue(3))
    ls[3] = line(6, 0, "kernel.call", '{"name":"X"}')
    yield mk("prec_canary_order_vs_ours_json", "precedence", enc(ls), good_o + b"garbage\n")
    # canary canonicalization crash vs ours JSON / schema error -> ours error (canonicalization runs after both loads)
    ls = lines_of(HDR_C, 6, prologue(2) + [("kernel.return", '"str"'), ("thread.create", "5")])
    yield mk("prec_canon_crash_vs_ours_json", "precedence", enc(ls), good_o + b"garbage\n")
    yield mk("prec_canon_crash_vs_ours_schema", "precedence", enc(ls),
             b'{"kind":"schema_version","schema_version":2}\n')
    yield mk("prec_canon_crash_vs_ours_order", "precedence", enc(ls),
             enc(lines_of(HDR_O, 1, prologue(2), "ours") + [line(1, 0, "kernel.call", '{"name":"Z"}', engine="ours")]))
    # canonicalization crash with the canonicalization disabled -> no crash
    yield mk("prec_canon_crash_disabled", "precedence", enc(ls), good_o,
             ["--no-canonicalize-allocators", "--no-canonicalize-host-heap-fields"])
    # collect (shared-global) crash vs bad --tid-map token -> tid-map error; vs no mapping -> rc 2
    ls = lines_of(HDR_C, 6, prologue(2) + [("wait.begin", '{"handles_semantic_ids":5}')])
    yield mk("prec_collect_crash_vs_tidmap_token", "precedence", enc(ls), good_o, ["--tid-map", "6"])
    yield mk("prec_collect_crash_vs_tidmap_ok", "precedence", enc(ls), good_o, ["--tid-map", "6=1"])
    yield mk("prec_collect_crash_vs_tidmap_comma", "precedence", enc(ls), good_o, ["--tid-map", ","])
    yield mk("prec_collect_crash_vs_no_mapping", "precedence", enc(ls),
             enc(lines_of(HDR_O, 1, [("import.call", "{}")], "ours")))
    yield mk("prec_collect_crash_unmapped_tid", "precedence",
             enc(lines_of(HDR_C, 6, prologue(2)) + [line(9, 0, "handle.create", '"x"')]), good_o)
    # first kernel.call payload crash (auto map) vs manual map (auto map not run)
    ls = lines_of(HDR_C, 6, [("kernel.call", "null")] + prologue(2))
    yield mk("prec_automap_crash", "precedence", enc(ls), good_o)
    yield mk("prec_automap_crash_manual", "precedence", enc(ls), good_o, ["--tid-map", "6=1"])
    yield mk("prec_automap_crash_vs_ours_json", "precedence", enc(ls), good_o + b"{\n")
    # --disable-absorber unknown beats every file error (even missing files)
    yield mk("prec_disable_vs_empty", "precedence", b"", b"", ["--disable-absorber", "bogus"])
    yield mk("prec_disable_vs_missing", "precedence", b"", b"", raw_argv=["--canary", "nope.jsonl", "--ours", "nope2.jsonl",
                                                                       "--disable-absorber", "x"])
    # argparse error beats --disable-absorber
    yield mk("prec_argparse_vs_disable", "precedence", good_c, good_o, ["--disable-absorber", "bogus", "--tid-map"])
    # bad tid-map token after a valid one; int() error after a bad token
    yield mk("prec_tidmap_token_order", "precedence", good_c, good_o, ["--tid-map", "6=1,x,y=z"])
    yield mk("prec_tidmap_value_then_token", "precedence", good_c, good_o, ["--tid-map", "6=q,x"])
    # crash in the diff of one tid after another tid's absorbed events -> crash; validate message order
    c, o = pair([(6, call("A") + [("thread.exit", '{"a":1}')]), (7, call("B") + [("kernel.call", '{"name":"Q","x":1}')])],
                [(1, call("A") + [("thread.exit", '{"a":2}')]), (2, call("B") + [("kernel.call", '{"name":"Q","x":2}')])])
    yield mk("prec_validate_first_tid", "precedence", c, o, ["--validate-identical"])
    yield mk("prec_validate_first_tid_map", "precedence", c, o, ["--validate-identical", "--tid-map", "7=2,6=1"])
    yield mk("prec_validate_first_tid_map2", "precedence", c, o, ["--validate-identical", "--tid-map", "7=1,6=2"])


def unicode_table_cases():
    """Every code point of a block in one string (repr printable table, json
    escapes, raw UTF-8 decoding)."""
    blocks = list(range(0, 0x40000, 0x2000)) + list(range(0xE0000, 0xE2000, 0x2000)) + [0xF0000, 0x10E000]
    for b in blocks:
        cps = [c for c in range(b, b + 0x2000) if not (0xD800 <= c <= 0xDFFF) and c not in (0x0A, 0x0D)]
        s = "".join(chr(c) for c in cps)
        c = build(HDR_C, [(6, prologue(2) + [("thread.exit", J({"s": s}))])], "canary")
        o = build(HDR_O, [(1, prologue(2) + [("thread.exit", '{"s":"x"}')])], "ours")
        yield mk(f"uni_block_{b:06x}", "unicode_table", c, o, ["--validate-identical"])


def scale_cases():
    """Limits: many distinct kinds/names/tids, long lines, long streams."""
    # 66000 distinct event kinds (xdet keeps 16-bit kind ids)
    evs = prologue(1) + [(f"k.{i}", "{}") for i in range(66000)] + call("End")
    oevs = prologue(1) + [(f"k.{i}", "{}") for i in range(66000)] + call("End2")
    c, o = pair([(6, evs)], [(1, oevs)])
    yield mk("scale_66000_kinds", "scale", c, o)
    # 70000 distinct call names
    evs = [e for i in range(70000) for e in [("kernel.call", f'{{"name":"F{i}"}}')]] + call("End")
    oevs = [e for i in range(70000) for e in [("kernel.call", f'{{"name":"F{i}"}}')]] + call("End2")
    c, o = pair([(6, evs)], [(1, oevs)])
    yield mk("scale_70000_names", "scale", c, o)
    # 20000 threads
    c, o = pair([(100000 + k, call(f"F{k % 3}")) for k in range(20000)], [(k, call(f"F{k % 3}")) for k in range(20000)])
    yield mk("scale_20000_threads", "scale", c, o, ["--validate-identical"])
    # a 30 MB string in a matched event, and a 5 MB one rendered
    big = "x" * 30_000_000
    c, o = pair([(6, prologue(1) + [("thread.exit", J({"s": big}))] + call("A"))],
                [(1, prologue(1) + [("thread.exit", J({"s": big}))] + call("B"))])
    yield mk("scale_30mb_string_matched", "scale", c, o)
    big = "y\u00e9" * 2_500_000
    c, o = pair([(6, prologue(1) + [("thread.exit", J({"s": big}))])], [(1, prologue(1) + [("thread.exit", '{"s":1}')])])
    yield mk("scale_5mb_string_rendered", "scale", c, o)
    # 300k events on one tid, divergence at the end, with nested-cs absorbs along the way
    evs = prologue(1) + call("A") * 100000
    c, o = pair([(6, evs + call("X"))], [(1, evs + call("Y"))])
    yield mk("scale_300k_events", "scale", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])
    # 100k absorbed events (shared-global) emitted
    sid = shared_sid(0x80001000, 3)
    hc = f'{{"raw_handle_id":"0x80001000","handle_semantic_id":"{sid}","object_type":3}}'
    c, o = pair([(6, prologue(1) + [("handle.create", hc)] * 100000 + call("K"))], [(1, prologue(1) + call("K"))])
    yield mk("scale_100k_absorbed", "scale", c, o, ["--emit-absorbed-events", "absorbed.jsonl"])


def key_cases():
    """Exotic payload keys: escapes, quotes, control characters, duplicates."""
    keys = ['{"a\\u0000":1,"a":2}', '{"\\"":1,"\\\\":2}', '{"\'":1,"\\"\'":2}', '{"\\n":1,"\\t":2,"\\u007f":3}',
            '{"\\ud83d\\ude00":1,"\\uffff":2}', '{"x":1,"x":{"y":1,"y":[2]}}', '{" name":1,"name ":2}',
            '{"args":{"\\u00e9":1},"name":"F"}', '{"ctx_ptr":"0x1","ctx_ptr":"0x2"}', '{"return_value":"0x1","return_value":5}']
    for i, k in enumerate(keys):
        for kind in ("thread.create", "kernel.call", "kernel.return", "x.y"):
            c = build(HDR_C, [(6, prologue(2) + [(kind, k)] + call("A"))], "canary")
            o = build(HDR_O, [(1, prologue(2) + [(kind, '{"name":"F","z":1}')] + call("A"))], "ours")
            yield mk(f"keys_{kind}_{i}", "keys", c, o, ["--validate-identical"])
            c2 = build(HDR_C, [(6, prologue(2) + [(kind, k)] + call("A"))], "canary")
            o2 = build(HDR_O, [(1, prologue(2) + [(kind, k)] + call("B"))], "ours")
            yield mk(f"keys_same_{kind}_{i}", "keys", c2, o2, ["--validate-identical"])
