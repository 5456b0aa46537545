#!/usr/bin/env bash
# Optional tooling (never needed to build, test or run adalora): regenerates the committed files
# under data/ from Debian packages and one npm tarball. See docs/data.md for what each file is, its
# licence and its counts.
#
#   apt-get install -y r-base-core r-cran-modeldata r-cran-janeaustenr bible-kjv wordnet-base \
#     fortunes-min fortunes
#   bash scripts/extract_demo_data.sh            # writes data/ in the repository
#
# SENTIMENT_TGZ=/path/sentiment-5.0.2.tgz uses a tarball already on disk instead of `npm pack`.
# A missing unlabelled source is reported and skipped; the labelled sets are required.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${root}/data"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

need() { command -v "$1" >/dev/null || { echo "extract_demo_data: $1: not found ($2)" >&2; exit 2; }; }
need Rscript "apt-get install r-base-core r-cran-modeldata"
need python3 "any Python 3"

# 1. R data sets → CSV / plain text (R is only used here).
Rscript --vanilla - "${work}" <<'REOF'
args <- commandArgs(trailingOnly = TRUE)
work <- args[[1]]
data(small_fine_foods, package = "modeldata")
for (split in c("training_data", "testing_data")) {
  d <- get(split)
  d$review <- enc2utf8(d$review)
  d$score <- as.character(d$score)
  write.csv(d[, c("review", "score")], file.path(work, paste0(split, ".csv")), row.names = FALSE,
            fileEncoding = "UTF-8")
}
writeLines(as.character(packageVersion("modeldata")), file.path(work, "modeldata.version"))
if (requireNamespace("janeaustenr", quietly = TRUE)) {
  books <- c("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion")
  dir.create(file.path(work, "austen"))
  for (b in books) {
    data(list = b, package = "janeaustenr")
    writeLines(enc2utf8(get(b)), file.path(work, "austen", paste0(b, ".txt")), useBytes = TRUE)
  }
  writeLines(as.character(packageVersion("janeaustenr")), file.path(work, "janeaustenr.version"))
}
REOF

# 2. The UCI sentiment sentences from npm's sentiment@5.0.2.
tgz="${SENTIMENT_TGZ:-}"
if [[ -z "${tgz}" ]]; then
  need npm "apt-get install npm, or set SENTIMENT_TGZ"
  (cd "${work}" && npm pack --silent sentiment@5.0.2 >/dev/null)
  tgz="${work}/sentiment-5.0.2.tgz"
fi
tar xzf "${tgz}" -C "${work}"

# 3. The KJV Bible through the `bible` program (its data file is compressed), one line per verse.
if command -v bible >/dev/null; then
  bible -l100000 gen1:1-rev22:21 </dev/null >"${work}/kjv.txt"
fi

python3 "${root}/scripts/extract_demo_data.py" "${work}" "${out}"

# 4. The licence notes that travel with the files: Debian's copyright file of each package used,
#    and the npm package's LICENSE.md.
mkdir -p "${out}/LICENSES"
for pkg in r-cran-modeldata r-cran-janeaustenr bible-kjv-text wordnet-base fortunes; do
  if [[ -f "/usr/share/doc/${pkg}/copyright" ]]; then
    cp "/usr/share/doc/${pkg}/copyright" "${out}/LICENSES/${pkg}.copyright"
  fi
done
cp "${work}/package/LICENSE.md" "${out}/LICENSES/npm-sentiment-5.0.2.LICENSE.md"
