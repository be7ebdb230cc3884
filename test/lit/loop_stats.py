"""Prints what the hottest loop of each matching function in an assembly file
does per iteration, for FileCheck:

    loop_stats.py FILE.s FUNCTION_REGEX
    -> <function>: fma=24 zmm broadcasts=6 loads=4 spills=0

The loop is the basic block that branches back to its own label and holds the
most FMAs (the micro-kernel's reduction step). `fma` counts vfmadd*ps and
names the vector register class; `broadcasts` vbroadcastss; `loads` vector
moves from memory; `spills` vector moves to or from the stack (%rsp, and %rbp where it is
the frame pointer).
"""
import re
import sys

path, pattern = sys.argv[1], re.compile(sys.argv[2])
functions = {}
current = None
for line in open(path):
    line = line.split("#")[0].rstrip()
    label = re.match(r"^([A-Za-z_.$][\w.$]*):", line)
    if label and not label.group(1).startswith("."):
        current = label.group(1) if pattern.search(label.group(1)) else None
        if current:
            functions[current] = []
        continue
    if current:
        functions[current].append(line)

for name, lines in functions.items():
    blocks, block_label, body = [], None, []
    for line in lines:
        label = re.match(r"^(\.L\w+):", line)
        if label:
            blocks.append((block_label, body))
            block_label, body = label.group(1), []
        elif line.strip():
            body.append(line.strip())
    blocks.append((block_label, body))
    loops = [(label, body) for label, body in blocks
             if label and any(re.match(r"j\w+\s+" + re.escape(label) + r"$", i) for i in body)]
    if not loops:
        print(f"{name}: no loop")
        continue
    label, body = max(loops, key=lambda b: sum(i.startswith("vfmadd") for i in b[1]))
    fmas = [i for i in body if re.match(r"vfmadd\d+ps", i)]
    width = sorted({w for i in fmas for w in re.findall(r"%([xyz]mm)\d+", i)})
    # %rbp addresses the stack only in a function that sets up a frame
    # pointer; elsewhere LLVM uses it as one more general register.
    frame = any(re.match(r"movq\s+%rsp, %rbp$", line.strip()) for line in lines)
    stack = re.compile(r"\((%rsp|%rbp)\)|\d\((%rsp|%rbp)" if frame else r"\(%rsp\)|\d\(%rsp")
    moves = [i for i in body if re.match(r"vmov(a|u)ps", i)]
    loads = [i for i in moves if "(" in i.split(",")[0] and not stack.search(i)]
    spills = [i for i in moves if stack.search(i)]
    broadcasts = [i for i in body if i.startswith("vbroadcastss")]
    print(f"{name}: fma={len(fmas)} {'/'.join(width) or '-'} broadcasts={len(broadcasts)} "
          f"loads={len(loads)} spills={len(spills)}")
