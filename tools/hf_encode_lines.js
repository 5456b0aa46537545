// Optional tooling (never needed to build or test): HF tokenizers' own answers for a
// tokenizer.json on every line of a file: the ids without special tokens (IDS_OUT) and the text
// decode() gives back for them, special tokens kept (DECODED_OUT). Used by
// tools/make_spm_bpe_fixtures.sh.
//   cd /tmp && npm install tokenizers@0.23.2
//   NODE_PATH=/tmp/node_modules node tools/hf_encode_lines.js tokenizer.json cases.txt IDS_OUT DECODED_OUT
const { Tokenizer } = require('tokenizers');
const fs = require('fs');

(async () => {
  const [file, linesFile, idsOut, decodedOut] = process.argv.slice(2);
  const t = Tokenizer.fromFile(file);
  const lines = fs.readFileSync(linesFile, 'utf8').split('\n');
  lines.pop();  // the file ends with '\n'
  const ids = [];
  const decoded = [];
  for (const line of lines) {
    const e = await t.encode(line, null, {addSpecialTokens: false});
    ids.push(e.getIds().join(' '));
    decoded.push(await t.decode(e.getIds(), false));
  }
  fs.writeFileSync(idsOut, ids.join('\n') + '\n');
  fs.writeFileSync(decodedOut, decoded.join('\n') + '\n');
})();
