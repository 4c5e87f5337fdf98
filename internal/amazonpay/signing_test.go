package amazonpay

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// The official canonical-request examples (reference §12.3), byte for byte.
const (
	examplePOST = "POST\n" +
		"amazonpay-sandbox.amazon.in/v1/payments/charge\n" +
		"\n" +
		"x-amz-algorithm=AWS4-HMAC-SHA384&x-amz-client-id=A2XMNOQAN8MC64&x-amz-date=20200906T043202Z&x-amz-expires=500&x-amz-source=Browser&x-amz-user-agent=Postman&x-amz-user-ip=52.95.75.13\n" +
		"accessToken=Atza%7CI3M2u2aZQ&amount=1.0&attributableProgram=S2SPay&callbackUrl=&chargeId=Order001&currencyCode=INR&intent=Capture&merchantId=A2XMNOQAN8MC64&paymentMetaData=&referenceId=Order001&selectedPaymentInstrument=AmazonPayLater"
	exampleGET = "GET\n" +
		"amazonpay-sandbox.amazon.in/v1/payments/charge\n" +
		"merchantId=A2XMNOQAN8MC64&txnId=order001&txnIdType=MerchantTxnId\n" +
		"x-amz-algorithm=AWS4-HMAC-SHA384&x-amz-client-id=A2XMNOQAN8MC64&x-amz-date=20200906T055702Z&x-amz-expires=500&x-amz-source=Browser&x-amz-user-agent=Postman&x-amz-user-ip=52.95.75.13\n"
)

func exampleHeaders(date string) map[string]string {
	return map[string]string{
		"x-amz-algorithm": Algorithm, "x-amz-client-id": "A2XMNOQAN8MC64", "x-amz-date": date,
		"x-amz-expires": "500", "x-amz-source": "Browser", "x-amz-user-agent": "Postman",
		"x-amz-user-ip": "52.95.75.13",
	}
}

const exampleBody = `{"intent":"Capture","amount":"1.0","currencyCode":"INR","callbackUrl":"","accessToken":"Atza|I3M2u2aZQ",
"chargeId":"Order001","referenceId":"Order001","merchantId":"A2XMNOQAN8MC64","attributableProgram":"S2SPay",
"paymentMetaData":"","selectedPaymentInstrument":"AmazonPayLater","customData":null,"extra":{"nested":"left out"}}`

func TestCanonicalRequestPOSTExample(t *testing.T) {
	body, err := BodyParams([]byte(exampleBody))
	if err != nil {
		t.Fatal(err)
	}
	got := CanonicalRequest("POST", "amazonpay-sandbox.amazon.in/v1/payments/charge", nil,
		exampleHeaders("20200906T043202Z"), body)
	if got != examplePOST {
		t.Errorf("canonical request:\n got %q\nwant %q", got, examplePOST)
	}
}

func TestCanonicalRequestGETExample(t *testing.T) {
	query := map[string]string{"merchantId": "A2XMNOQAN8MC64", "txnIdType": "MerchantTxnId", "txnId": "order001"}
	got := CanonicalRequest("GET", "amazonpay-sandbox.amazon.in/v1/payments/charge", query,
		exampleHeaders("20200906T055702Z"), nil)
	if got != exampleGET {
		t.Errorf("canonical request:\n got %q\nwant %q", got, exampleGET)
	}
}

// TestCanonicalHTTPRequestGETExample rebuilds the GET example from an
// incoming request, as the simulator sees it.
func TestCanonicalHTTPRequestGETExample(t *testing.T) {
	r := httptest.NewRequest("GET", "https://amazonpay-sandbox.amazon.in/v1/payments/charge?txnIdType=MerchantTxnId&merchantId=A2XMNOQAN8MC64&txnId=order001", nil)
	for k, v := range exampleHeaders("20200906T055702Z") {
		r.Header.Set(k, v)
	}
	r.Header.Set("Authorization", "AMZ key:sig")
	got, err := CanonicalHTTPRequest(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != exampleGET {
		t.Errorf("canonical request:\n got %q\nwant %q", got, exampleGET)
	}
}

// TestSignatureVector pins the signature of the POST example, computed
// independently from the reference's pseudocode (Python hmac/hashlib).
func TestSignatureVector(t *testing.T) {
	s := Signer{AccessKey: "AKEXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	const want = "mkALsaKeEqj8pJE2Tf4F9Uw6vKWbN3sk4-KMZeWPvUGldBgv0tBp8ONobP7fof6U"
	if got := s.Signature("20200906T043202Z", examplePOST); got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
	s.Encoding = Hex
	const wantHex = "9a400bb1a29e12a8fca491364dfe05f54c3abca59b377b24e3e28c65e58fbd41a574182fd2d069f0e3686cfedfa1fe94"
	if got := s.Signature("20200906T043202Z", examplePOST); got != wantHex {
		t.Errorf("hex signature = %s, want %s", got, wantHex)
	}
	if !strings.HasPrefix(StringToSign("20200906T043202Z", examplePOST),
		"AWS4-HMAC-SHA384\n20200906T043202Z\n20200906/eu-west-1/AmazonPay/aws4_request\n") {
		t.Error("string to sign has the wrong head")
	}
}

func TestSignatureRejectsTamperingAndWrongKey(t *testing.T) {
	s := Signer{AccessKey: "AK", SecretKey: "secret"}
	sig := s.Signature("20200906T043202Z", examplePOST)
	if !s.Verify("20200906T043202Z", examplePOST, sig) {
		t.Fatal("own signature does not verify")
	}
	tampered := strings.Replace(examplePOST, "amount=1.0", "amount=100.0", 1)
	if s.Verify("20200906T043202Z", tampered, sig) {
		t.Error("tampered body verifies")
	}
	if s.Verify("20200907T043202Z", examplePOST, sig) {
		t.Error("another date verifies")
	}
	if (Signer{SecretKey: "other"}).Verify("20200906T043202Z", examplePOST, sig) {
		t.Error("wrong key verifies")
	}
}

func TestEncode(t *testing.T) {
	for in, want := range map[string]string{
		"Atza|abc":    "Atza%7Cabc",
		"a b+c":       "a%20b%2Bc",
		"AZaz09-._~":  "AZaz09-._~",
		"₹":           "%E2%82%B9",
		"x=y&z":       "x%3Dy%26z",
		"https://a/b": "https%3A%2F%2Fa%2Fb",
	} {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBlockSortsByKey(t *testing.T) {
	got := Block(map[string]string{"a-b": "2", "a": "1", "B": "0"})
	if want := "B=0&a=1&a-b=2"; got != want {
		t.Errorf("Block = %q, want %q", got, want)
	}
}

func TestParseAuthorization(t *testing.T) {
	for _, h := range []string{"AMZ AK1:sig/=", "AMZ+AK1:sig/="} {
		k, s, ok := ParseAuthorization(h)
		if !ok || k != "AK1" || s != "sig/=" {
			t.Errorf("ParseAuthorization(%q) = %q, %q, %v", h, k, s, ok)
		}
	}
	for _, h := range []string{"", "AMZ", "AMZ AK1", "Bearer x:y", "AMZ :sig"} {
		if _, _, ok := ParseAuthorization(h); ok {
			t.Errorf("ParseAuthorization(%q) accepted", h)
		}
	}
}

func TestResponseCanonical(t *testing.T) {
	h := http.Header{}
	h.Set("x-amz-algorithm", Algorithm)
	h.Set("x-amz-date", "20200906T071710Z")
	h.Set("x-amz-request-id", "ab6e5e05-1f15-48a1-ae39-84fd9ae62a17")
	body := `{"amazonChargeId":"S04-9469628-4357128","amazonPayUrl":"url","chargeId":"Order001","currencyCode":"INR","merchantId":"A2XMNOQAN8MC64","customData":null}`
	got, err := CanonicalResponse("POST", "amazonpay-sandbox.amazon.in/v1/payments/charge", h, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := "POST\namazonpay-sandbox.amazon.in/v1/payments/charge\n\n" +
		"x-amz-algorithm=AWS4-HMAC-SHA384&x-amz-date=20200906T071710Z&x-amz-request-id=ab6e5e05-1f15-48a1-ae39-84fd9ae62a17\n" +
		"amazonChargeId=S04-9469628-4357128&amazonPayUrl=url&chargeId=Order001&currencyCode=INR&merchantId=A2XMNOQAN8MC64"
	if got != want {
		t.Errorf("canonical response:\n got %q\nwant %q", got, want)
	}
}

// FuzzCanonicalRequest checks that canonicalisation never panics, that
// encoding round-trips, and that a signature over it verifies.
func FuzzCanonicalRequest(f *testing.F) {
	f.Add("POST", "Atza|I3M2u2aZQ", `{"amount":"1.0","callbackUrl":"","n":1.50,"b":true}`)
	f.Add("GET", "a b&c=d", ``)
	f.Add("GET", "\x00\xff₹", `{"x":{"y":[1]},"z":null}`)
	f.Add("POST", "", `[1,2]`)
	f.Fuzz(func(t *testing.T, method, value, body string) {
		enc := Encode(value)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; !unreserved(c) && c != '%' {
				t.Fatalf("Encode(%q) leaves %q", value, c)
			}
		}
		if dec, err := url.PathUnescape(enc); err != nil || dec != value {
			t.Fatalf("Encode(%q) = %q does not round-trip: %q, %v", value, enc, dec, err)
		}
		params, err := BodyParams([]byte(body))
		if err != nil {
			params = map[string]string{"raw": body}
		}
		canonical := CanonicalRequest(method, "host/path", map[string]string{value: value}, exampleHeaders("20200906T043202Z"), params)
		s := Signer{SecretKey: value}
		if !s.Verify("20200906T043202Z", canonical, s.Signature("20200906T043202Z", canonical)) {
			t.Fatal("signature does not verify")
		}
	})
}
