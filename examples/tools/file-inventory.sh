# file-inventory: every file of the target with its size and SHA-256 (output/inventory.tsv), and the
# counts as the assessment example/file-inventory (output/results.json). Runs on a session, a scan or a
# subject with its defaults; needs only a POSIX shell and coreutils.
set -eu
pattern=[PATTERN]
inventory="$TESSERA_OUTPUT/inventory.tsv"
printf 'path\tbytes\tsha256\n' > "$inventory"
cd "$TESSERA_INPUT"
find . -type f -name "$pattern" | sed 's|^\./||' | LC_ALL=C sort > "$TMPDIR/files"
while IFS= read -r path; do
  printf '%s\t%s\t%s\n' "$path" "$(stat -c %s -- "$path")" "$(sha256sum -- "$path" | cut -d ' ' -f 1)"
done < "$TMPDIR/files" >> "$inventory"
# A file's resource is its first folder, or scans/N/RESOURCE for a session's scans.
awk -F '\t' 'NR > 1 {
    files++; bytes += $2; if ($2 > largest) largest = $2
    resource = $1
    if (resource ~ /^scans\/[^\/]+\/[^\/]+\//) { match(resource, /^scans\/[^\/]+\/[^\/]+/); resource = substr(resource, 1, RLENGTH) }
    else sub(/\/.*/, "", resource)
    if (!(resource in seen)) { seen[resource] = 1; resources++ }
  }
  END { printf "{\"files\":%d,\"bytes\":%d,\"resources\":%d,\"largestBytes\":%d}\n", files, bytes, resources, largest }' \
  "$inventory" > "$TESSERA_OUTPUT/results.json"
echo "inventory: $(cat "$TESSERA_OUTPUT/results.json")"
