// Fuzz target: Utf8Validator fed incrementally, is_valid_utf8() in one shot and a simple
// reference decoder must agree, including on when an invalid prefix is detected.
//
// Input: byte 0 picks the chunking, the rest is the text.
#include <cstring>
#include <vector>

#include "core/websocket/utf8.h"
#include "fuzz_common.h"

using namespace wsserver;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const uint8_t control = data[0];
    const uint8_t *text = data + 1;
    const size_t n = size - 1;

    bool complete = false;
    const size_t viable = fuzz::reference_utf8_viable(text, n, complete);
    const bool ref_valid = complete;
    const bool ref_viable = viable == n;
    const std::vector<bool> boundary = fuzz::reference_utf8_boundaries(text, n);
    FUZZ_CHECK(boundary[n] == ref_valid, "reference helpers disagree");

    // One shot, on an exactly sized heap copy so that ASan sees any over-read of a
    // word-at-a-time fast path.
    {
        uint8_t *exact = new uint8_t[n ? n : 1];
        std::memcpy(exact, text, n);
        const bool got = is_valid_utf8(exact, n);
        delete[] exact;
        FUZZ_CHECK(got == ref_valid, "is_valid_utf8=%d reference=%d (len %zu)", got, ref_valid, n);
    }

    // Incremental, in chunks derived from the input.
    {
        static const size_t kMax[4] = {1, 3, 9, 64};
        fuzz::Chunker chunker(control * 131u + static_cast<uint32_t>(n), kMax[control & 3]);
        Utf8Validator v;
        size_t pos = 0;
        bool all_ok = true;
        while (pos < n) {
            size_t c = chunker.next();
            if (c > n - pos) c = n - pos;
            const bool ok = v.feed(text + pos, c);
            pos += c;
            // Failure is reported as soon as the prefix can no longer be UTF-8.
            const bool prefix_viable = pos <= viable;
            const bool prefix_complete = boundary[pos];
            FUZZ_CHECK(ok == prefix_viable, "feed()=%d but prefix of %zu viable=%d", ok, pos, prefix_viable);
            FUZZ_CHECK(v.failed() == !prefix_viable, "failed()=%d at %zu", v.failed(), pos);
            FUZZ_CHECK(v.complete() == (prefix_viable && prefix_complete), "complete()=%d at %zu", v.complete(),
                       pos);
            all_ok = ok;
        }
        FUZZ_CHECK(all_ok == ref_viable, "incremental ok=%d reference viable=%d", all_ok, ref_viable);
        FUZZ_CHECK(v.complete() == ref_valid, "incremental complete=%d reference=%d", v.complete(), ref_valid);
        // Sticky failure, and reset().
        if (v.failed()) {
            FUZZ_CHECK(!v.feed(reinterpret_cast<const uint8_t *>("a"), 1), "failure not sticky");
        }
        v.reset();
        FUZZ_CHECK(v.complete() && !v.failed(), "reset() did not clear");
    }

    // Byte by byte: the first failing byte is exactly where the reference stops.
    {
        Utf8Validator v;
        for (size_t i = 0; i < n; i++) {
            const bool ok = v.feed(text + i, 1);
            if (!ok) {
                FUZZ_CHECK(i == viable, "byte-wise failure at %zu, reference at %zu", i, viable);
                break;
            }
            FUZZ_CHECK(i < viable, "byte %zu accepted past the reference failure at %zu", i, viable);
        }
        FUZZ_CHECK(v.complete() == ref_valid, "byte-wise complete=%d reference=%d", v.complete(), ref_valid);
    }
    return 0;
}
