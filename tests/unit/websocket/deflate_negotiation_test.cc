// Tests for src/core/websocket/deflate_negotiation.h (RFC 7692 sections 5 and 7.1).
#include "core/websocket/deflate_negotiation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace wsserver;

namespace {

DeflateSettings on() {
    DeflateSettings s;
    s.enabled = true;
    return s;
}

// The response for `header`, or "declined".
std::string answer(const std::string &header, const DeflateSettings &settings = on()) {
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate(header, settings);
    return a ? a->response : "declined";
}

void expect_params(const DeflateParams &p, bool snct, bool cnct, int sbits, int cbits) {
    EXPECT_EQ(p.server_no_context_takeover, snct);
    EXPECT_EQ(p.client_no_context_takeover, cnct);
    EXPECT_EQ(p.server_max_window_bits, sbits);
    EXPECT_EQ(p.client_max_window_bits, cbits);
}

TEST(DeflateNegotiation, DisabledOrNotOffered) {
    DeflateSettings off;
    EXPECT_FALSE(negotiate_permessage_deflate("permessage-deflate", off));
    EXPECT_EQ(answer(""), "declined");
    EXPECT_EQ(answer(" , ,"), "declined");
    EXPECT_EQ(answer("x-webkit-deflate-frame"), "declined");
    EXPECT_EQ(answer("permessage-deflate-x"), "declined");
}

TEST(DeflateNegotiation, PlainOffer) {
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate("permessage-deflate", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate");
    expect_params(a->params, false, false, 15, 15);
}

TEST(DeflateNegotiation, BrowserOffer) {
    // What Chrome and Firefox send.
    std::optional<DeflateAgreement> a =
        negotiate_permessage_deflate("permessage-deflate; client_max_window_bits", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate");
    expect_params(a->params, false, false, 15, 15);
}

TEST(DeflateNegotiation, NamesAreCaseInsensitive) {
    EXPECT_EQ(answer("PerMessage-Deflate; Server_No_Context_Takeover; CLIENT_MAX_WINDOW_BITS=10"),
              "permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
}

TEST(DeflateNegotiation, ContextTakeover) {
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate(
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    expect_params(a->params, true, true, 15, 15);

    DeflateSettings s = on();
    s.server_no_context_takeover = true;
    s.client_no_context_takeover = true;
    a = negotiate_permessage_deflate("permessage-deflate", s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
    expect_params(a->params, true, true, 15, 15);
}

TEST(DeflateNegotiation, ServerWindowBits) {
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate("permessage-deflate; server_max_window_bits=10", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; server_max_window_bits=10");
    expect_params(a->params, false, false, 10, 15);

    // Our own smaller window is announced even when not asked for, and a client's larger
    // limit is answered with ours.
    DeflateSettings s = on();
    s.server_max_window_bits = 12;
    EXPECT_EQ(answer("permessage-deflate", s), "permessage-deflate; server_max_window_bits=12");
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=14", s),
              "permessage-deflate; server_max_window_bits=12");
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=9", s), "permessage-deflate; server_max_window_bits=9");
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=15"), "permessage-deflate; server_max_window_bits=15");

    // A setting of 8 cannot be honoured by zlib: it becomes 9.
    s.server_max_window_bits = 8;
    a = negotiate_permessage_deflate("permessage-deflate", s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; server_max_window_bits=9");
    EXPECT_EQ(a->params.server_max_window_bits, 9);
}

TEST(DeflateNegotiation, ServerWindowBits8IsDeclined) {
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=8"), "declined");
    // The usual fallback offer after it is taken.
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate(
        "permessage-deflate; server_max_window_bits=8, permessage-deflate; server_max_window_bits=9", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; server_max_window_bits=9");
    EXPECT_EQ(a->params.server_max_window_bits, 9);
}

TEST(DeflateNegotiation, ClientWindowBits) {
    // No value: we may limit the client, but at 15 there is nothing to say.
    EXPECT_EQ(answer("permessage-deflate; client_max_window_bits"), "permessage-deflate");
    DeflateSettings s = on();
    s.client_max_window_bits = 10;
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate("permessage-deflate; client_max_window_bits", s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; client_max_window_bits=10");
    expect_params(a->params, false, false, 15, 10);
    // A value from the client is echoed (or lowered to ours), so our inflater can use it.
    a = negotiate_permessage_deflate("permessage-deflate; client_max_window_bits=12", on());
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response, "permessage-deflate; client_max_window_bits=12");
    expect_params(a->params, false, false, 15, 12);
    EXPECT_EQ(answer("permessage-deflate; client_max_window_bits=12", s), "permessage-deflate; client_max_window_bits=10");
    EXPECT_EQ(answer("permessage-deflate; client_max_window_bits=8"), "permessage-deflate; client_max_window_bits=8");
    // Not offered: never answered (7.1.2.2), whatever our setting.
    EXPECT_EQ(answer("permessage-deflate", s), "permessage-deflate");
    a = negotiate_permessage_deflate("permessage-deflate", s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->params.client_max_window_bits, 15);
}

TEST(DeflateNegotiation, FullResponseOrder) {
    DeflateSettings s = on();
    s.server_max_window_bits = 11;
    s.client_max_window_bits = 9;
    std::optional<DeflateAgreement> a = negotiate_permessage_deflate(
        "permessage-deflate; client_max_window_bits; server_max_window_bits=13; client_no_context_takeover; "
        "server_no_context_takeover",
        s);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->response,
              "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
              "server_max_window_bits=11; client_max_window_bits=9");
    expect_params(a->params, true, true, 11, 9);
}

TEST(DeflateNegotiation, QuotedValues) {
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=\"10\""), "permessage-deflate; server_max_window_bits=10");
    EXPECT_EQ(answer("permessage-deflate; client_max_window_bits=\"1\\1\""),
              "permessage-deflate; client_max_window_bits=11");
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=\"\""), "declined");
    EXPECT_EQ(answer("permessage-deflate; server_max_window_bits=\" 10\""), "declined");
}

TEST(DeflateNegotiation, WhitespaceAndEmptyElements) {
    EXPECT_EQ(answer(" ,\t, permessage-deflate ;\tclient_max_window_bits = 9 ,, "),
              "permessage-deflate; client_max_window_bits=9");
}

TEST(DeflateNegotiation, InvalidOffersAreDeclined) {
    const char *invalid[] = {
        "permessage-deflate; server_max_window_bits",        // needs a value
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",     // leading zero
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; server_max_window_bits=1a",
        "permessage-deflate; server_max_window_bits=-9",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=0",
        "permessage-deflate; server_no_context_takeover=true",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=\"\"",
        "permessage-deflate; mystery",
        "permessage-deflate; x=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; Client_No_Context_Takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
    };
    for (const char *offer : invalid) {
        EXPECT_EQ(answer(offer), "declined") << offer;
        // A valid offer after it is still taken.
        EXPECT_EQ(answer(std::string(offer) + ", permessage-deflate; client_no_context_takeover"),
                  "permessage-deflate; client_no_context_takeover")
            << offer;
    }
}

TEST(DeflateNegotiation, FirstAcceptableOfferWins) {
    EXPECT_EQ(answer("x-webkit-deflate-frame; no_context_takeover, permessage-deflate; server_max_window_bits=12, "
                     "permessage-deflate"),
              "permessage-deflate; server_max_window_bits=12");
    EXPECT_EQ(answer("foo; bar=\"a,b;c\", permessage-deflate"), "permessage-deflate");
}

TEST(DeflateNegotiation, SyntaxErrorsDeclineEverything) {
    const char *broken[] = {
        "permessage-deflate;",
        "permessage-deflate; ;client_max_window_bits",
        "permessage-deflate; =10",
        "permessage-deflate; server_max_window_bits=",
        "permessage-deflate; server_max_window_bits=\"10",
        "permessage-deflate; server_max_window_bits=1 0",
        "permessage-deflate x",
        "permessage-deflate, ;",
        "\"permessage-deflate\"",
        "permessage-deflate; client_max_window_bits=\"1\x01\"",
        "permessage-deflate, permessage-deflate; a=\"\\",
        "permessage-deflate\x7f",
    };
    for (const char *h : broken) EXPECT_EQ(answer(h), "declined") << h;
}

TEST(DeflateNegotiation, ParseExtensionOffers) {
    std::vector<ExtensionOffer> offers;
    ASSERT_TRUE(parse_extension_offers("a; b=1 ; c=\"q\\\"d\", , e;f", offers));
    ASSERT_EQ(offers.size(), 2u);
    EXPECT_EQ(offers[0].name, "a");
    ASSERT_EQ(offers[0].params.size(), 2u);
    EXPECT_EQ(offers[0].params[0].name, "b");
    EXPECT_EQ(offers[0].params[0].value, std::optional<std::string>("1"));
    EXPECT_EQ(offers[0].params[1].name, "c");
    EXPECT_EQ(offers[0].params[1].value, std::optional<std::string>("q\"d"));
    EXPECT_EQ(offers[1].name, "e");
    ASSERT_EQ(offers[1].params.size(), 1u);
    EXPECT_EQ(offers[1].params[0].name, "f");
    EXPECT_FALSE(offers[1].params[0].value);

    EXPECT_TRUE(parse_extension_offers("", offers));
    EXPECT_TRUE(offers.empty());
    EXPECT_FALSE(parse_extension_offers("a, b c", offers));
    ASSERT_EQ(offers.size(), 1u) << "elements before the error are kept";
    EXPECT_EQ(offers[0].name, "a");
}

}  // namespace
