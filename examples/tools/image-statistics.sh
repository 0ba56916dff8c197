# image-statistics: the intensity statistics of the target's NIfTI volumes (and, where libvips' `vips`
# command is installed, of its PNG, JPEG and TIFF pictures), one line each in output/statistics.tsv,
# pooled over every voxel as the assessment example/image-statistics (output/results.json). DICOM is
# left to DICOM tools. Needs a POSIX shell, coreutils, gzip and awk.
set -eu
max_images=[MAX_IMAGES]
statistics="$TESSERA_OUTPUT/statistics.tsv"
printf 'path\tkind\tsize\tvoxels\tmin\tmax\tmean\tsd\n' > "$statistics"

# Prints "voxels sum sum-of-squares min max" of the values awk reads, one per field.
moments() {
  awk '{ for (i = 1; i <= NF; i++) { v = $i * slope + inter; n++; s += v; q += v * v
         if (n == 1 || v < lo) lo = v; if (n == 1 || v > hi) hi = v } }
       END { printf "%d %.10g %.10g %.10g %.10g\n", n, s, q, lo, hi }' slope="$1" inter="$2"
}

nifti() { # path → "size voxels sum squares min max", or nothing when its data type is not read here
  # A compressed volume is unpacked once; od then reads the file itself, so no reader closes a pipe early
  # (a writer cut off that way prints "Broken pipe" where SIGPIPE is ignored).
  f=$1
  case $f in *.gz|*.GZ) gzip -dc -- "$f" > "$TMPDIR/volume.nii"; f="$TMPDIR/volume.nii" ;; esac
  endian=little
  [ "$(od -An -t d4 -N 4 -- "$f" | tr -d ' ')" = 348 ] || endian=big
  set -- $(od -An --endian=$endian -t d2 -j 40 -N 16 -- "$f")
  rank=$1; shift
  size=""; count=1; i=0
  for d in "$@"; do
    i=$((i + 1)); [ "$i" -le "$rank" ] || break
    size="${size:+${size}x}$d"; count=$((count * d))
  done
  datatype=$(od -An --endian=$endian -t d2 -j 70 -N 2 -- "$f" | tr -d ' ')
  offset=$(od -An --endian=$endian -t f4 -j 108 -N 4 -- "$f" | awk '{ printf "%d", $1 }')
  set -- $(od -An --endian=$endian -t f4 -j 112 -N 8 -- "$f")
  slope=$1; inter=$2
  [ "$(awk -v s="$slope" 'BEGIN { print (s == 0) }')" = 1 ] && slope=1
  case $datatype in
    2) type=u1 bytes=1 ;; 256) type=d1 bytes=1 ;; 4) type=d2 bytes=2 ;; 512) type=u2 bytes=2 ;;
    8) type=d4 bytes=4 ;; 768) type=u4 bytes=4 ;; 16) type=f4 bytes=4 ;; 64) type=f8 bytes=8 ;;
    *) echo "skipped $path: NIfTI data type $datatype" >&2; return 0 ;;
  esac
  echo "$size $(od -An -v --endian=$endian -t $type -j "$offset" -N $((count * bytes)) -- "$f" | moments "$slope" "$inter")"
}

picture() { # path → the same, through vips (every band pooled)
  f=$1
  vips stats "$f" "$TMPDIR/stats.csv" || { echo "skipped $f: vips cannot read it" >&2; return 0; }
  width=$(vipsheader -f width "$f"); height=$(vipsheader -f height "$f"); bands=$(vipsheader -f bands "$f")
  # Row 0 of vips' statistics: min max sum sum-of-squares mean sd … over all bands.
  head -1 "$TMPDIR/stats.csv" | tr -s '\t ' '  ' |
    awk -v size="${width}x${height}x${bands}" -v n=$((width * height * bands)) '{ printf "%s %d %s %s %s %s\n", size, n, $3, $4, $1, $2 }'
}

cd "$TESSERA_INPUT"
find . -type f \( -iname '*.nii' -o -iname '*.nii.gz' -o -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.tif' -o -iname '*.tiff' \) |
  sed 's|^\./||' | LC_ALL=C sort | awk -v most="$max_images" 'NR <= most' > "$TMPDIR/images"
while IFS= read -r path; do
  case $path in
    *.nii|*.nii.gz|*.NII|*.NII.GZ) kind=nifti; measured=$(nifti "$path") ;;
    *) kind=picture; measured=""; command -v vips >/dev/null 2>&1 && measured=$(picture "$path") ;;
  esac
  [ -n "$measured" ] || continue
  set -- $measured
  awk -v p="$path" -v k="$kind" -v size="$1" -v n="$2" -v s="$3" -v q="$4" -v lo="$5" -v hi="$6" 'BEGIN {
    mean = s / n; var = q / n - mean * mean; if (var < 0) var = 0
    printf "%s\t%s\t%s\t%d\t%.6g\t%.6g\t%.6g\t%.6g\n", p, k, size, n, lo, hi, mean, sqrt(var) }' >> "$statistics"
  echo "$2 $3 $4 $5 $6" >> "$TMPDIR/pooled"
  echo "measured $path ($kind $1)"
done < "$TMPDIR/images"
[ -s "$TMPDIR/pooled" ] || { echo "no image this tool reads (NIfTI; PNG, JPEG, TIFF with vips)" >&2; exit 2; }
awk '{ n += $1; s += $2; q += $3; if (NR == 1 || $4 < lo) lo = $4; if (NR == 1 || $5 > hi) hi = $5 }
     END { mean = s / n; var = q / n - mean * mean; if (var < 0) var = 0
           printf "{\"images\":%d,\"voxels\":%d,\"min\":%.6g,\"max\":%.6g,\"mean\":%.6g,\"sd\":%.6g}\n", NR, n, lo, hi, mean, sqrt(var) }' \
  "$TMPDIR/pooled" > "$TESSERA_OUTPUT/results.json"
echo "statistics: $(cat "$TESSERA_OUTPUT/results.json")"
