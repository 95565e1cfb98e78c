#!/usr/bin/env bash
# Fetch the CommonMark spec's examples for tests/test_markdown_spec.py: the `commonmark-spec`
# package from npm, at a pinned version whose archive's SHA-256 is checked, unpacked into
# tests/.spec/ (git-ignored). The spec is other people's text: it is fetched, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.31.2
sum=588280df96c211f7ce9db0b7943ded34ac4b8ba321e2fdf9c03d188ec0f01fea
dest=tests/.spec
[ -f "$dest/spec.txt" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "commonmark-spec@$version" >/dev/null)
echo "$sum  $tmp/commonmark-spec-$version.tgz" | sha256sum -c --quiet -
tar -xzf "$tmp/commonmark-spec-$version.tgz" -C "$tmp"
mkdir -p "$dest"
cp "$tmp/package/spec.txt" "$tmp/package/LICENSE" "$dest/"
echo "CommonMark spec $version in $dest/"
