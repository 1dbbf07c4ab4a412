#!/usr/bin/env bash
# Sanitizer and leak-check runs of the native addon (docs/reliability.md, "Sanitizers").
#
#   scripts/sanitize.sh asan    AddressSanitizer + UndefinedBehaviorSanitizer over the native-heavy tests
#   scripts/sanitize.sh tsan    ThreadSanitizer over the codec engine tests (worker threads, delivery)
#   scripts/sanitize.sh leak    LeakSanitizer over encode/decode loops: no leak from our code
#   scripts/sanitize.sh all     the three in turn
#
# The addon is built with WEBCODECS_SANITIZE (CMakeLists.txt) in a copy of the tree (by default
# $TMPDIR/webcodecs-streams-<mode>; SANITIZE_DIR overrides), so the normal build/ that others use
# is never touched, and the tests there load that copy's addon through their relative imports.
# Node itself is not instrumented: the sanitizer runtime of the compiler that built the addon is
# preloaded (LD_PRELOAD), which is what makes an instrumented shared object work inside an
# uninstrumented executable. Child processes the tests start inherit the same environment.
#
# Extra arguments replace the default test list, e.g.
#   scripts/sanitize.sh asan test/stress/lifecycle.test.ts
# RELIABILITY_SCALE (default 0.3 here) scales the property/stress/fuzz counts: sanitized code runs
# 2-15x slower. Exit status: 0 when every test passed and no sanitizer reported anything.
set -euo pipefail

mode=${1:-}
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
}

if [[ $mode == all ]]; then
  status=0
  for m in asan tsan leak; do "$0" "$m" "$@" || status=1; done
  exit $status
fi

case $mode in
  asan | leak)
    sanitize=address,undefined
    runtime=libasan.so
    ;;
  tsan)
    sanitize=thread
    runtime=libtsan.so
    ;;
  *)
    usage
    exit 2
    ;;
esac

cxx=${CXX:-g++}
preload=$("$cxx" -print-file-name="$runtime")
if [[ ! -f $preload ]]; then
  echo "sanitize.sh: $cxx has no $runtime (Debian/Ubuntu: sudo apt-get install $( [[ $runtime == libasan.so ]] && echo libasan8 || echo libtsan2 ))" >&2
  exit 1
fi

work=${SANITIZE_DIR:-${TMPDIR:-/tmp}/webcodecs-streams-$mode}
log=$work/sanitize.log
mkdir -p "$work"
echo "sanitize.sh: $mode build in $work (addon built with -fsanitize=$sanitize, runtime $preload)"

# 1. A copy of the sources (not build/, dist/ or node_modules, which is linked).
tar -C "$root" --exclude=./build --exclude=./dist --exclude=./node_modules --exclude=./.git --exclude=./.tap -cf - . | tar -C "$work" -xf -
ln -sfn "$root/node_modules" "$work/node_modules"

# 2. The sanitized addon and the compiled TypeScript the child-process tests import.
(cd "$work" && CXX=$cxx WEBCODECS_SANITIZE=$sanitize node scripts/build-native.mjs --force > "$work/build.log" 2>&1) || {
  tail -30 "$work/build.log" >&2
  exit 1
}
(cd "$work" && npx tsc -p tsconfig.json)

# 3. The runtime environment. Suppressions are for FFmpeg/Node internals only, each documented
#    in its file; nothing of ours is suppressed.
supp=$root/scripts
export LD_PRELOAD=$preload
export RELIABILITY_SCALE=${RELIABILITY_SCALE:-0.3}
export RELIABILITY_TIMEOUT_FACTOR=${RELIABILITY_TIMEOUT_FACTOR:-8}
# A codec's worker thread and FFmpeg's own threads run at normal priority: sanitized code is slow
# enough without the nice step.
export WEBCODECS_STREAMS_CODEC_NICE=0
# Report where UB happens and stop there: a report must fail the test that triggered it.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}
case $mode in
  asan)
    # detect_leaks=0: the leak mode checks leaks with filtering; at exit Node itself leaves its
    # heap to the OS. allow_user_segv_handler: Node installs its own SIGSEGV handler (WebAssembly
    # trap handling). detect_odr_violation=0: the static node binary and the preloaded runtime
    # both define libstdc++ symbols.
    export ASAN_OPTIONS=detect_leaks=0:allow_user_segv_handler=1:detect_odr_violation=0:halt_on_error=1:abort_on_error=0:suppressions=$supp/asan.supp
    ;;
  tsan)
    # Node, V8, libuv and FFmpeg are not instrumented: TSan cannot see their synchronisation and
    # would report V8's own thread pool as racing. ignore_noninstrumented_modules=1 makes the
    # interceptors (malloc, pthread_*) ignore calls from uninstrumented code, so what remains is
    # about the accesses our addon makes. exitcode=0: reports are counted from the log instead.
    export TSAN_OPTIONS=ignore_noninstrumented_modules=1:halt_on_error=0:exitcode=0:report_signal_unsafe=0:second_deadlock_stack=1:history_size=4:suppressions=$supp/tsan.supp
    ;;
  leak)
    export ASAN_OPTIONS=detect_leaks=1:allow_user_segv_handler=1:detect_odr_violation=0:fast_unwind_on_malloc=0:malloc_context_size=30:suppressions=$supp/asan.supp
    export LSAN_OPTIONS=report_objects=0:suppressions=$supp/lsan.supp
    ;;
esac

# 4. What to run.
if [[ $mode == leak ]]; then
  # Encode/decode loops in one process that closes everything and exits normally; LSan reports
  # at exit. Only leaks with a frame in our addon count: Node and V8 leave their heaps to the OS
  # at exit (lsan.supp keeps the report readable by dropping the well-known ones).
  cat > "$work/leak-loops.mjs" <<'LOOPS'
// Every kind of native object, made, used and released many times: codecs (test codec, H.264,
// VP8, Opus, PCM), frames from buffers and decoders, clones, copyTo/convert, config probes, and
// codecs and frames left to the garbage collector. Then a normal exit, where LSan reports.
const dist = new URL(`file://${process.argv[2]}/dist/`);
const { AudioData, AudioDecoder, AudioEncoder, EncodedVideoChunk, VideoDecoder, VideoEncoder, VideoFrame, getLiveCounters } = await import(new URL('index.js', dist));
const { TestCodec } = await import(new URL('testing.js', dist));
const frame = (w, h, i) => new VideoFrame(new Uint8Array(w * h * 3 / 2).map((_, k) => (k + i) & 0xff), { format: 'I420', codedWidth: w, codedHeight: h, timestamp: i * 1000 });
async function video(codec, rounds) {
  for (let r = 0; r < rounds; r++) {
    const chunks = []; let config;
    const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) config = m.decoderConfig; }, error: (e) => { throw e; } });
    encoder.configure({ codec, width: 64, height: 48, latencyMode: r % 2 ? 'realtime' : 'quality' });
    for (let i = 0; i < 20; i++) { const f = frame(64, 48, i); encoder.encode(f, { keyFrame: i % 10 === 0 }); f.close(); if (i === 10) await encoder.flush(); }
    await encoder.flush(); encoder.close();
    const decoder = new VideoDecoder({ output: async (f) => { const c = f.clone(); f.close(); await c.copyTo(new Uint8Array(c.allocationSize())); await c.copyTo(new Uint8Array(64 * 48 * 4), { format: 'RGBA' }); c.close(); }, error: (e) => { throw e; } });
    decoder.configure(config);
    for (const c of chunks) decoder.decode(c);
    await decoder.flush();
    if (r % 3 === 0) { decoder.decode(chunks[0]); decoder.reset(); }
    decoder.close();
    await VideoEncoder.isConfigSupported({ codec, width: 64, height: 48 });
  }
}
async function audio(rounds) {
  for (let r = 0; r < rounds; r++) {
    for (const codec of ['opus', 'pcm-s16']) {
      const chunks = []; let config;
      const encoder = new AudioEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) config = m.decoderConfig; }, error: (e) => { throw e; } });
      encoder.configure({ codec, sampleRate: 48000, numberOfChannels: 2 });
      for (let i = 0; i < 10; i++) { const d = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 2, timestamp: i * 20000, data: new Float32Array(1920).fill(0.1) }); encoder.encode(d); d.close(); }
      await encoder.flush(); encoder.close();
      const decoder = new AudioDecoder({ output: (d) => { d.copyTo(new Uint8Array(d.allocationSize({ planeIndex: 0 })), { planeIndex: 0 }); d.close(); }, error: (e) => { throw e; } });
      const { encoderDelay, ...decoderConfig } = config;
      decoder.configure(decoderConfig);
      for (const c of chunks) decoder.decode(c);
      await decoder.flush(); decoder.close();
    }
  }
}
async function testCodec(rounds) {
  for (let r = 0; r < rounds; r++) {
    const outputs = [];
    const codec = new TestCodec({ output: (o) => outputs.push(o), error: () => {} });
    codec.configure({ delay: r % 3, failAt: r % 7 === 0 ? 5 : 0 });
    for (let i = 0; i < 8; i++) { const f = frame(16, 16, i); codec.encode(f); f.close(); }
    await codec.flush().catch(() => {});
    if (codec.state !== 'closed') { codec.reset(); codec.configure({}); codec.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array(8) })); await codec.flush(); codec.close(); }
    for (const o of outputs) o.close?.();
  }
}
function abandoned() {
  // Left to the garbage collector: an idle configured codec and unclosed frames.
  const e = new VideoEncoder({ output: () => {}, error: () => {} });
  e.configure({ codec: 'avc1.42001e', width: 64, height: 48 });
  for (let i = 0; i < 5; i++) frame(64, 48, i);
}
await testCodec(60);
await video('avc1.42001e', 6);
if ((await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 64, height: 48 })).supported) await video('vp8', 3);
await audio(3);
abandoned();
for (let i = 0; i < 50; i++) { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 10)); if (getLiveCounters().codecs === 0 && getLiveCounters().videoFrames === 0) break; }
console.log('LOOPS DONE', JSON.stringify(getLiveCounters()));
LOOPS
  node --expose-gc "$work/leak-loops.mjs" "$work" > "$log" 2>&1 || true
  ours=$(awk '/^(Direct|Indirect) leak of/{block=$0; next} block!="" {block=block "\n" $0} /^$/{ if (block ~ /webcodecs_streams\.node/) print block "\n"; block="" }' "$log")
  definite=$(grep -c '^Direct leak of' "$log" || true)
  if ! grep -q '^LOOPS DONE' "$log"; then
    echo "sanitize.sh leak: the loops did not finish:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
  if [[ -n $ours ]]; then
    echo "sanitize.sh leak: leaks from webcodecs_streams.node:"
    echo "$ours"
    exit 1
  fi
  echo "sanitize.sh leak: no leak from our code (LSan reported $definite direct leak record(s), none with a frame in webcodecs_streams.node); log: $log"
  exit 0
fi

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
  if [[ $mode == asan ]]; then
    tests=(test/codecs test/property test/stress test/fuzz test/api test/unit)
  else
    tests=(test/codecs/engine.test.ts test/property/test-codec.test.ts test/property/real-codecs.test.ts test/property/audio-codecs.test.ts test/stress/engine.test.ts test/stress/lifecycle.test.ts)
  fi
fi
echo "sanitize.sh: running ${tests[*]} (RELIABILITY_SCALE=$RELIABILITY_SCALE); log: $log"
set +e
# tap's entry point run by node directly: npm's own launcher (npx) crashes with TSan preloaded.
(cd "$work" && node node_modules/tap/dist/esm/run.mjs --jobs 1 --timeout $((300 * RELIABILITY_TIMEOUT_FACTOR)) "${tests[@]}") > "$log" 2>&1
tap_status=$?
set -e
reports=$(grep -E -c 'ERROR: AddressSanitizer|runtime error:|WARNING: ThreadSanitizer|ERROR: ThreadSanitizer' "$log" || true)
grep -E '^# \{|^ok|^not ok' "$log" | tail -40
if [[ $reports -gt 0 ]]; then
  echo "sanitize.sh $mode: $reports sanitizer report(s):"
  grep -E -A25 'ERROR: AddressSanitizer|runtime error:|WARNING: ThreadSanitizer' "$log" | head -200
fi
if [[ $tap_status -ne 0 || $reports -gt 0 ]]; then
  echo "sanitize.sh $mode: FAILED (tap exit $tap_status, $reports report(s)); log: $log"
  exit 1
fi
echo "sanitize.sh $mode: clean; log: $log"
