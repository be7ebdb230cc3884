#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (CPU, graph optimisation "all") on
// NumPy .npy inputs: the reference and the baseline the end-to-end tests and
// bench/run.py compare Incept against.
//
//   node run_ort.js model.onnx --input x.npy [--input NAME=x.npy ...]
//        [--output y.npy ...] [--threads N] [--repeat N] [--warmup W]
//
// Inputs bind to the model's graph inputs in order, or by name with NAME=PATH.
// Outputs are written in the model's output order, float32. With --repeat it
// prints `latency: median X ms, min Y ms, max Z ms over N runs` (the format
// of incept-run), timing session.run alone.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function usage(message) {
  if (message) process.stderr.write(`error: ${message}\n`);
  process.stderr.write(
      'usage: node run_ort.js model.onnx --input [NAME=]x.npy ... ' +
      '[--output y.npy ...] [--threads N] [--repeat N] [--warmup W]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const args = {model: null, inputs: [], outputs: [], threads: 1, repeat: 0, warmup: 1};
  const positiveInt = (flag, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) usage(`${flag} needs an integer >= ${min}, got '${text}'`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--input': args.inputs.push(value()); break;
      case '--output': args.outputs.push(value()); break;
      case '--threads': args.threads = positiveInt(arg, value(), 1); break;
      case '--repeat': args.repeat = positiveInt(arg, value(), 1); break;
      case '--warmup': args.warmup = positiveInt(arg, value(), 0); break;
      case '-h': case '--help': usage(); break;
      default:
        if (arg.startsWith('-')) usage(`unknown option ${arg}`);
        if (args.model) usage(`two models given: ${args.model} and ${arg}`);
        args.model = arg;
    }
  }
  if (!args.model) usage('no model given');
  return args;
}

//===--- .npy (format versions 1-3, little-endian, C order) ----------------===//

const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

function readNpy(file) {
  const data = fs.readFileSync(file);
  if (data.length < 10 || !data.subarray(0, 6).equals(NPY_MAGIC))
    throw new Error(`${file}: not a .npy file`);
  const major = data[6];
  const headerLength = major === 1 ? data.readUInt16LE(8) : data.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = data.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) throw new Error(`${file}: unreadable .npy header ${header}`);
  if (fortran[1] === 'True') throw new Error(`${file}: Fortran-order arrays are not supported`);
  const dims = shape[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLength;
  const bytes = data.subarray(offset);
  let values;
  if (descr[1] === '<f4') {
    values = new Float32Array(count);
    for (let i = 0; i < count; ++i) values[i] = bytes.readFloatLE(4 * i);
  } else if (descr[1] === '<f8') {
    values = new Float32Array(count);  // the models take float32
    for (let i = 0; i < count; ++i) values[i] = bytes.readDoubleLE(8 * i);
  } else {
    throw new Error(`${file}: dtype ${descr[1]} is not supported (float32 or float64)`);
  }
  return new ort.Tensor('float32', values, dims);
}

function writeNpy(file, tensor) {
  if (tensor.type !== 'float32')
    throw new Error(`${file}: output dtype ${tensor.type} is not float32`);
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so that the data starts at a multiple of 64 bytes, ending with '\n'.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
  const prefix = Buffer.alloc(10);
  NPY_MAGIC.copy(prefix, 0);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

//===--- running -----------------------------------------------------------===//

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
  });

  if (args.inputs.length !== session.inputNames.length)
    throw new Error(`the model has ${session.inputNames.length} inputs ` +
                    `(${session.inputNames.join(', ')}), ${args.inputs.length} given`);
  const feeds = {};
  args.inputs.forEach((spec, index) => {
    const eq = spec.indexOf('=');
    let name = session.inputNames[index];
    let file = spec;
    if (eq > 0 && !fs.existsSync(spec)) {
      name = spec.slice(0, eq);
      file = spec.slice(eq + 1);
      if (!session.inputNames.includes(name))
        throw new Error(`the model has no input '${name}' (${session.inputNames.join(', ')})`);
    }
    feeds[name] = readNpy(file);
  });
  if (args.outputs.length > session.outputNames.length)
    throw new Error(`the model has ${session.outputNames.length} outputs ` +
                    `(${session.outputNames.join(', ')}), ${args.outputs.length} given`);

  let results = await session.run(feeds);
  if (args.repeat) {
    for (let i = 1; i < args.warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < args.repeat; ++i) {
      const start = process.hrtime.bigint();
      results = await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    console.log(`latency: median ${median(times).toFixed(3)} ms, min ${times[0].toFixed(3)} ms, ` +
                `max ${times[times.length - 1].toFixed(3)} ms over ${times.length} runs`);
  }
  args.outputs.forEach((file, index) => {
    const tensor = results[session.outputNames[index]];
    writeNpy(file, tensor);
    console.log(`${session.outputNames[index]} [${tensor.dims.join(', ')}] -> ${path.basename(file)}`);
  });
}

main().catch(error => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
