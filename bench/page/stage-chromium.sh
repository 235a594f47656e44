#!/bin/bash
# Run here (Debian bookworm with `chromium` installed, after `npm ci` and `npm run build`), from
# the project root. Builds what the page benchmark needs on the GPU machine, which has no browser,
# no registry and takes ≤ 64 MiB per call with the working tree (git-ignored folders):
#   .chs-a/, .chs-b/  Debian's chromium-headless-shell (the version of the local chromium), the
#                     files of chromium-common it reads, every shared library it links that the GPU
#                     machine's Ubuntu lacks (glibc and libstdc++ stay the machine's), NSS's modules,
#                     one font — one xz tarball split in two, carried by two consecutive calls;
#   .pagecarry/       the built app (dist/ without source maps), the page benchmark bundled
#                     (bench/page/page-bench.ts) and playwright-core, xz'd; carried with .gpucarry.
# bench/page/run-gpu.sh (on the machine) puts the parts together in .chs/ and runs the benchmark.
set -euo pipefail
[ -f dist/index.html ] || { echo "dist/ is missing: npm run build first"; exit 1; }
V=$(dpkg-query -W -f '${Version}' chromium)
W=/tmp/chs-stage && rm -rf $W && mkdir -p $W/root/lib $W/root/fonts
for d in .chs-a .chs-b .pagecarry; do grep -qx "/$d/" .git/info/exclude || echo "/$d/" >> .git/info/exclude; done
(cd $W && apt-get download "chromium-headless-shell=$V" >/dev/null 2>&1 && dpkg-deb -x chromium-headless-shell_*.deb x)
cp -a $W/x/usr/lib/chromium/. $W/root/
for f in icudtl.dat v8_context_snapshot.bin snapshot_blob.bin libvulkan.so.1 libEGL.so libGLESv2.so; do
  cp /usr/lib/chromium/$f $W/root/
done
# the shared-library closure, less what every Linux has (glibc, libgcc, libstdc++)
ldd $W/root/chromium-headless-shell | awk '/=> \//{print $3}' |
  grep -vE '/(libc|libm|libdl|libpthread|librt|libgcc_s|libstdc\+\+)\.so' |
  while read -r l; do cp -L "$l" $W/root/lib/; done
for m in libsoftokn3.so libfreebl3.so libfreeblpriv3.so libnssckbi.so libnssdbm3.so; do
  cp -L /usr/lib/x86_64-linux-gnu/$m $W/root/lib/
done
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf $W/root/fonts/
cat > $W/root/fonts/fonts.conf <<'EOF'
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir prefix="relative">.</dir><cachedir>/tmp/chs-fontcache</cachedir></fontconfig>
EOF
tar -C $W/root -cf - . | xz -T2 -9 > $W/chs.tar.xz
rm -rf .chs-a .chs-b && mkdir -p .chs-a .chs-b
half=$(( ($(stat -c %s $W/chs.tar.xz) + 1) / 2 ))
split -b $half -d -a 1 $W/chs.tar.xz $W/part.
mv $W/part.0 .chs-a/ && mv $W/part.1 .chs-b/
# the app, the benchmark and its driver
rm -rf .pagecarry && mkdir -p .pagecarry
node scripts/bundle-gpu.mjs bench/page/page-bench.ts .pagecarry/page-bench.mjs
tar --exclude='*.map' -cf - dist | xz -T2 -9 > .pagecarry/dist.tar.xz
tar -C node_modules -cf - playwright-core | xz -T2 -9 > .pagecarry/playwright-core.tar.xz
node scripts/bundle-gpu.mjs src/cli/fixture.ts .pagecarry/fixture.mjs
du -sh .chs-a .chs-b .pagecarry
