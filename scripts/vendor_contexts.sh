#!/usr/bin/env bash
# Refresh the JSON-LD contexts bundled in ssi/jsonld/contexts.
#
# Every context comes from a pinned npm package: the script runs `npm pack`
# in a temporary folder, extracts the tarball, copies each context file byte
# for byte (or, for a context shipped only as a JavaScript export, prints the
# export with node), copies the package's licence text, and regenerates
# MANIFEST.json with the SHA-256 digest of every file it wrote.
#
# Usage: scripts/vendor_contexts.sh        (needs npm, node and python3)
#
# To move to a newer package version, change its pin below, run the script,
# review the diff of the context files, and run the jsonld tests.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${repo_root}/ssi/jsonld/contexts"
python="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# One line per context URL:
#   URL | file name in ssi/jsonld/contexts | npm package | version | source
# The source is a path inside the package tarball, or "export:<module>" for a
# context read from the `contexts` map that the package's ES module exports.
CONTEXTS=(
  "https://www.w3.org/2018/credentials/v1|credentials-v1.json|@digitalbazaar/credentials-context|3.2.0|contexts/v1.jsonld"
  "https://www.w3.org/ns/credentials/v2|credentials-v2.json|@digitalbazaar/credentials-context|3.2.0|contexts/v2.jsonld"
  "https://www.w3.org/ns/credentials/undefined-terms/v2|credentials-undefined-terms-v2.json|@digitalbazaar/credentials-context|3.2.0|contexts/undefined-terms-v2.jsonld"
  "https://www.w3.org/2018/credentials/examples/v1|credentials-examples-v1.json|@digitalbazaar/credentials-examples-context|1.0.0|contexts/credentials-examples-v1.jsonld"
  "https://w3id.org/security/data-integrity/v1|data-integrity-v1.json|@digitalbazaar/data-integrity-context|2.0.1|contexts/data-integrity-v1.jsonld"
  "https://w3id.org/security/data-integrity/v2|data-integrity-v2.json|@digitalbazaar/data-integrity-context|2.0.1|contexts/data-integrity-v2.jsonld"
  "https://w3id.org/security/multikey/v1|multikey-v1.json|@digitalbazaar/multikey-context|2.0.1|contexts/multikey-v1.jsonld"
  "https://www.w3.org/ns/did/v1|did-v1.json|did-context|3.1.1|contexts/did-v1.jsonld"
  "https://w3id.org/security/suites/ed25519-2020/v1|ed25519-2020-v1.json|ed25519-signature-2020-context|1.1.0|contexts/ed25519-signature-2020-v1.jsonld"
  "https://w3id.org/security/suites/x25519-2020/v1|x25519-2020-v1.json|x25519-key-agreement-2020-context|1.0.0|contexts/x25519-key-agreement-2020-v1.json"
  "https://w3id.org/security/suites/jws-2020/v1|jws-2020-v1.json|@transmute/security-context|0.7.0-unstable.82|contexts/suites/jws-2020-v1.json"
  "https://w3id.org/security/v1|security-v1.json|security-context|4.0.0|contexts/security-v1.jsonld"
  "https://w3id.org/security/v2|security-v2.json|security-context|4.0.0|contexts/security-v2.jsonld"
  "https://www.w3.org/ns/credentials/status/v1|bitstring-status-list-v1.json|@digitalbazaar/vc-bitstring-status-list-context|1.1.0|contexts/vc-bitstring-status-list-v1.jsonld"
  "https://w3id.org/citizenship/v4rc1|citizenship-v4rc1.json|@digitalbazaar/citizenship-context|4.1.0|export:lib/index.js"
)

# The VC 2.0 examples context is not published on npm (the package
# @digitalbazaar/credentials-examples-context holds the older, different
# VC 1.1 examples context). W3C publishes it as this one-term document.
EXAMPLES_V2_URL="https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES_V2_FILE="credentials-examples-v2.json"
EXAMPLES_V2_LICENSE="w3c-credentials-examples-v2.txt"
EXAMPLES_V2_SOURCE="W3C Verifiable Credentials Data Model v2.0, the document served at ${EXAMPLES_V2_URL} (a single @vocab term); written by scripts/vendor_contexts.sh"

# Turn "@scope/name" into "scope-name", as npm names its tarballs.
flat_name() {
  local name="${1#@}"
  printf '%s' "${name//\//-}"
}

# Download and extract one package once; print the folder holding it.
fetch_package() {
  local package="$1" version="$2"
  local folder
  folder="${work}/$(flat_name "${package}")-${version}"
  if [[ ! -d "${folder}" ]]; then
    mkdir -p "${folder}"
    local tarball
    tarball="$(cd "${work}" && npm pack --silent "${package}@${version}" | tail -n 1)"
    tar -xzf "${work}/${tarball}" -C "${folder}"
  fi
  printf '%s/package' "${folder}"
}

# Print a context that a package exports from its ES module `contexts` map,
# formatted as the package formats its own .jsonld files.
export_context() {
  local module="$1" url="$2"
  (cd "$(dirname "${module}")" &&
    node --input-type=module -e "
      const {contexts} = await import('./' + process.argv[1]);
      const context = contexts.get(process.argv[2]);
      if (context === undefined) {
        console.error('no export for ' + process.argv[2]);
        process.exit(1);
      }
      process.stdout.write(JSON.stringify(context, null, 2) + '\n');
    " "$(basename "${module}")" "${url}")
}

mkdir -p "${dest}/LICENSES"
rm -f "${dest}"/*.json "${dest}"/LICENSES/*

entries="${work}/entries.tsv"
: >"${entries}"

for line in "${CONTEXTS[@]}"; do
  IFS='|' read -r url file package version source <<<"${line}"
  root="$(fetch_package "${package}" "${version}")"
  if [[ "${source}" == export:* ]]; then
    export_context "${root}/${source#export:}" "${url}" >"${dest}/${file}"
  else
    cp "${root}/${source}" "${dest}/${file}"
  fi
  license="$(flat_name "${package}").txt"
  if [[ -f "${root}/LICENSE.md" ]]; then
    cp "${root}/LICENSE.md" "${dest}/LICENSES/${license}"
  else
    cp "${root}/LICENSE" "${dest}/LICENSES/${license}"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
    "${url}" "${file}" "${package}" "${version}" "${source}" "LICENSES/${license}" >>"${entries}"
done

cat >"${dest}/${EXAMPLES_V2_FILE}" <<'EOF'
{
  "@context": {
    "@vocab": "https://www.w3.org/ns/credentials/examples#"
  }
}
EOF
cat >"${dest}/LICENSES/${EXAMPLES_V2_LICENSE}" <<'EOF'
https://www.w3.org/ns/credentials/examples/v2

This context is published by the World Wide Web Consortium (W3C) as part of
the Verifiable Credentials Data Model v2.0 (https://www.w3.org/TR/vc-data-model-2.0/).
W3C documents in the /ns/ space are licensed under the W3C Software and
Document License: https://www.w3.org/copyright/software-license-2023/
EOF
printf '%s\t%s\t\t\t%s\t%s\n' \
  "${EXAMPLES_V2_URL}" "${EXAMPLES_V2_FILE}" "${EXAMPLES_V2_SOURCE}" "LICENSES/${EXAMPLES_V2_LICENSE}" >>"${entries}"

# Agora's own vocabulary (docs/vocabulary.md): written by this project, not
# taken from a package. Its terms are protected, like the W3C contexts'.
AGORA_V1_URL="https://w3id.org/agora/v1"
AGORA_V1_FILE="agora-v1.json"
AGORA_V1_LICENSE="agora.txt"
AGORA_V1_SOURCE="Agora vocabulary v1 (docs/vocabulary.md), written by this project in scripts/vendor_contexts.sh"
cat >"${dest}/${AGORA_V1_FILE}" <<'EOF'
{
  "@context": {
    "@protected": true,
    "MembershipCredential": "https://w3id.org/agora/vocab#MembershipCredential",
    "CommunityMember": "https://w3id.org/agora/vocab#CommunityMember",
    "AgoraHub": "https://w3id.org/agora/vocab#AgoraHub",
    "community": {"@id": "https://w3id.org/agora/vocab#community", "@type": "@id"},
    "communityName": "https://w3id.org/agora/vocab#communityName",
    "role": "https://w3id.org/agora/vocab#role",
    "Post": "https://w3id.org/agora/vocab#Post",
    "Retraction": "https://w3id.org/agora/vocab#Retraction",
    "Reaction": "https://w3id.org/agora/vocab#Reaction",
    "content": "https://w3id.org/agora/vocab#content",
    "language": "https://w3id.org/agora/vocab#language",
    "inReplyTo": "https://w3id.org/agora/vocab#inReplyTo",
    "tags": {"@id": "https://w3id.org/agora/vocab#tags", "@container": "@list"},
    "mentions": {
      "@id": "https://w3id.org/agora/vocab#mentions",
      "@type": "@id",
      "@container": "@list"
    },
    "attachments": {
      "@id": "https://w3id.org/agora/vocab#attachments",
      "@container": "@list"
    },
    "cid": "https://w3id.org/agora/vocab#cid",
    "size": "https://w3id.org/agora/vocab#size",
    "replaces": "https://w3id.org/agora/vocab#replaces",
    "retracts": "https://w3id.org/agora/vocab#retracts",
    "reactsTo": "https://w3id.org/agora/vocab#reactsTo",
    "reaction": "https://w3id.org/agora/vocab#reaction",
    "emoji": "https://w3id.org/agora/vocab#emoji",
    "memberSince": {
      "@id": "https://w3id.org/agora/vocab#memberSince",
      "@type": "http://www.w3.org/2001/XMLSchema#dateTime"
    },
    "Constitution": "https://w3id.org/agora/vocab#Constitution",
    "Proposal": "https://w3id.org/agora/vocab#Proposal",
    "Signal": "https://w3id.org/agora/vocab#Signal",
    "Ballot": "https://w3id.org/agora/vocab#Ballot",
    "Delegation": "https://w3id.org/agora/vocab#Delegation",
    "Tally": "https://w3id.org/agora/vocab#Tally",
    "version": "https://w3id.org/agora/vocab#version",
    "rules": {"@id": "https://w3id.org/agora/vocab#rules", "@type": "@json"},
    "ratifiedBy": "https://w3id.org/agora/vocab#ratifiedBy",
    "constitution": "https://w3id.org/agora/vocab#constitution",
    "kind": "https://w3id.org/agora/vocab#kind",
    "title": "https://w3id.org/agora/vocab#title",
    "body": "https://w3id.org/agora/vocab#body",
    "method": "https://w3id.org/agora/vocab#method",
    "opens": {
      "@id": "https://w3id.org/agora/vocab#opens",
      "@type": "http://www.w3.org/2001/XMLSchema#dateTime"
    },
    "closes": {
      "@id": "https://w3id.org/agora/vocab#closes",
      "@type": "http://www.w3.org/2001/XMLSchema#dateTime"
    },
    "options": {"@id": "https://w3id.org/agora/vocab#options", "@type": "@json"},
    "candidates": {
      "@id": "https://w3id.org/agora/vocab#candidates",
      "@type": "@id",
      "@container": "@list"
    },
    "seats": "https://w3id.org/agora/vocab#seats",
    "amendment": {"@id": "https://w3id.org/agora/vocab#amendment", "@type": "@json"},
    "recalls": "https://w3id.org/agora/vocab#recalls",
    "proposal": "https://w3id.org/agora/vocab#proposal",
    "choice": {"@id": "https://w3id.org/agora/vocab#choice", "@type": "@json"},
    "delegate": {"@id": "https://w3id.org/agora/vocab#delegate", "@type": "@id"},
    "tag": "https://w3id.org/agora/vocab#tag",
    "withdrawn": "https://w3id.org/agora/vocab#withdrawn",
    "result": {"@id": "https://w3id.org/agora/vocab#result", "@type": "@json"},
    "ballotRoot": "https://w3id.org/agora/vocab#ballotRoot",
    "countedBallots": "https://w3id.org/agora/vocab#countedBallots",
    "inputs": {"@id": "https://w3id.org/agora/vocab#inputs", "@container": "@list"},
    "ModeratorMandate": "https://w3id.org/agora/vocab#ModeratorMandate",
    "Report": "https://w3id.org/agora/vocab#Report",
    "Label": "https://w3id.org/agora/vocab#Label",
    "Appeal": "https://w3id.org/agora/vocab#Appeal",
    "Verdict": "https://w3id.org/agora/vocab#Verdict",
    "election": "https://w3id.org/agora/vocab#election",
    "post": "https://w3id.org/agora/vocab#post",
    "label": "https://w3id.org/agora/vocab#label",
    "reason": "https://w3id.org/agora/vocab#reason",
    "negated": {
      "@id": "https://w3id.org/agora/vocab#negated",
      "@type": "http://www.w3.org/2001/XMLSchema#boolean"
    },
    "appeal": "https://w3id.org/agora/vocab#appeal",
    "verdict": "https://w3id.org/agora/vocab#verdict"
  }
}
EOF
cat >"${dest}/LICENSES/${AGORA_V1_LICENSE}" <<'EOF'
https://w3id.org/agora/v1

The Agora vocabulary context is written by the Agora project and published
under the project's licence (Apache-2.0). It is served only from this bundle;
the URL is its identifier, never fetched.
EOF
printf '%s\t%s\t\t\t%s\t%s\n' \
  "${AGORA_V1_URL}" "${AGORA_V1_FILE}" "${AGORA_V1_SOURCE}" "LICENSES/${AGORA_V1_LICENSE}" >>"${entries}"

"${python}" - "${entries}" "${dest}" <<'EOF'
import hashlib
import json
import sys
from pathlib import Path

entries_path, dest = Path(sys.argv[1]), Path(sys.argv[2])
contexts = []
for line in entries_path.read_text(encoding="utf-8").splitlines():
    url, file, package, version, source, license_file = line.split("\t")
    data = (dest / file).read_bytes()
    json.loads(data)  # Refuse to bundle a file that is not JSON.
    entry = {
        "url": url,
        "file": file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "license": license_file,
    }
    if package:
        entry["package"] = package
        entry["version"] = version
        entry["path"] = source
    else:
        entry["source"] = source
    contexts.append(entry)
contexts.sort(key=lambda entry: entry["url"])
manifest = {
    "generated_by": "scripts/vendor_contexts.sh",
    "contexts": contexts,
}
text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
(dest / "MANIFEST.json").write_text(text, encoding="utf-8")
print(f"wrote {len(contexts)} contexts to ssi/jsonld/contexts")
EOF

# The citizenship context is also shipped as a .jsonld file in its package;
# the export printed above must be the same bytes.
cmp -s "${dest}/citizenship-v4rc1.json" \
  "$(fetch_package @digitalbazaar/citizenship-context 4.1.0)/contexts/v4rc1.jsonld" ||
  { echo "citizenship v4rc1 export differs from the packaged file" >&2; exit 1; }
