// Structural check of a GGUF file with HuggingFace's own parser (npm @huggingface/gguf): prints the
// metadata and every tensor's name, shape (ggml ne) and type as that parser reads them.
//   node gguf_structure.mjs <path to @huggingface/gguf package> FILE.gguf
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const [pkg, file] = process.argv.slice(2);
const { gguf } = await import(pathToFileURL(resolve(pkg, "dist/index.mjs")).href);
const { metadata, tensorInfos } = await gguf(resolve(file), { allowLocalFile: true });
const show = (v) => (typeof v === "bigint" ? v.toString() : v);
for (const [k, v] of Object.entries(metadata)) console.log(`kv ${k} = ${JSON.stringify(v, (_, x) => show(x))}`);
for (const t of tensorInfos) {
  console.log(`tensor ${t.name} ne=[${t.shape.map(show).join(", ")}] type=${t.dtype} offset=${show(t.offset)}`);
}
