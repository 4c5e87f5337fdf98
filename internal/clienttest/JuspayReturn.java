// JuspayReturn verifies a return to the merchant the way Juspay's published
// Java sample (HMACsignature.java) does: the parameters a servlet would
// decode, minus signature and signature_algorithm, go into a TreeMap; each
// key and value is URL-encoded with java.net.URLEncoder, joined as k=v with
// '&', the whole string URL-encoded again, then HMAC-SHA256 with the
// response key, standard Base64, compared with the decoded signature.
//
// Usage: java JuspayReturn.java RESPONSE_KEY URLENCODED_PARAMS
// Prints "verified" and exits 0, or prints why not and exits 1.
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class JuspayReturn {
    public static void main(String[] args) throws Exception {
        String key = args[0];
        Map<String, String> params = new TreeMap<>();
        String signature = null;
        for (String pair : args[1].split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (k.equals("signature")) {
                signature = v;
            } else if (!k.equals("signature_algorithm")) {
                if (params.put(k, v) != null) {
                    System.out.println("key " + k + " occurs twice");
                    System.exit(1);
                }
            }
        }
        StringBuilder joined = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (joined.length() > 0) {
                joined.append('&');
            }
            joined.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        String message = URLEncoder.encode(joined.toString(), StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        if (signature == null || !signature.equals(expected)) {
            System.out.println("signature " + signature + " does not match " + expected + " over " + joined);
            System.exit(1);
        }
        System.out.println("verified " + params.size() + " parameters");
    }
}
