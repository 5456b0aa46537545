#!/usr/bin/env python3
"""Optional developer tooling (not part of the product or the tests; needs python3).

Lists the internal names (anonymous namespace, file-scope static) that two sources of one unity
batch both define, from the batches CMake generated: run after configuring, before a long build.
Usage: python3 tools/dev/unity_collisions.py BUILD_DIR [SOURCE_DIR]
A rough scan: it also lists overloads (same name, other parameters), legal but a trap when a call
could match both (see docs/reliability.md, "CI time"), and macros/aliases that may repeat.
"""
import re, sys, glob, os, collections

def internal_names(path):
    text = open(path, encoding='utf-8', errors='replace').read()
    # strip comments and strings
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'R"([^(]*)\((?:.|\n)*?\)\1"', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])*'", "''", text)
    names = set()
    depth = 0
    anon_depths = []   # brace depth inside an anonymous namespace
    ns_depths = set()  # depths that are namespace bodies
    i = 0
    stmt = ''
    for m in re.finditer(r'[{};]|[^{};]+', text):
        tok = m.group(0)
        if tok == '{':
            s = stmt.strip()
            if re.search(r'(^|\s)namespace\s*$', s):
                anon_depths.append(depth + 1); ns_depths.add(depth + 1)
            elif re.search(r'(^|\s)namespace\s+[\w:]+\s*$', s):
                ns_depths.add(depth + 1)
            elif re.search(r'extern\s+"C"\s*$', s) or s.endswith('extern ""'):
                ns_depths.add(depth + 1)
            else:
                at_ns = depth in ns_depths or depth == 0
                inside_anon = any(depth == d for d in anon_depths)
                if at_ns and (inside_anon or re.match(r'(inline\s+)?static\b', s)):
                    record(s, names)
            depth += 1
            stmt = ''
        elif tok == '}':
            if depth in ns_depths: ns_depths.discard(depth)
            if anon_depths and anon_depths[-1] == depth: anon_depths.pop()
            depth -= 1
            stmt = ''
        elif tok == ';':
            s = stmt.strip()
            at_ns = depth in ns_depths or depth == 0
            inside_anon = any(depth == d for d in anon_depths)
            if at_ns and (inside_anon or re.match(r'(inline\s+)?static\b', s) or
                          re.match(r'(constexpr|const)\b', s)):
                record(s, names, decl=True)
            stmt = ''
        else:
            stmt += tok
    return names

def record(s, names, decl=False):
    s = re.sub(r'^\s*#.*$', '', s, flags=re.M).strip()
    s = re.sub(r'\btemplate\s*<[^{}]*?>\s*', '', s)
    m = re.match(r'(?:struct|class|enum(?:\s+class)?|union)\s+(\w+)', s)
    if m: names.add(m.group(1)); return
    m = re.match(r'using\s+(\w+)\s*=', s)
    if m: names.add(m.group(1)); return
    if s.startswith('using '): return
    m = re.search(r'(\w+)\s*(?:\[[^\]]*\])?\s*(?:=|\{|$)', s) if '(' not in s.split('=')[0] else None
    if m and decl: names.add(m.group(1)); return
    m = re.search(r'([~\w]+|operator\s*\S+)\s*\(', s.split('=')[0])
    if m and m.group(1) not in ('if', 'for', 'while', 'switch', 'return', 'sizeof', 'decltype', 'TEST', 'TEST_F', 'TEST_P'):
        names.add(m.group(1))

build = sys.argv[1]
SOURCE = sys.argv[2] if len(sys.argv) > 2 else os.getcwd()
total = 0
for unity in sorted(glob.glob(os.path.join(build, '**', 'Unity', 'unity_*_cxx.cxx'), recursive=True)):
    files = re.findall(r'#include "([^"]+)"', open(unity).read())
    owner = collections.defaultdict(list)
    for f in files:
        for n in internal_names(f):
            owner[n].append(f)
    for n, fs in sorted(owner.items()):
        if len(fs) > 1:
            total += 1
            print(f'{os.path.relpath(unity, build)}: {n}: ' + ', '.join(os.path.relpath(x, SOURCE) for x in fs))
print('collisions:', total, file=sys.stderr)
