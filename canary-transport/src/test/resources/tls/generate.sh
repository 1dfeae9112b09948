#!/usr/bin/env bash
# Regenerates the test certificates: a CA, a PKCS12 keystore per node signed by it (CN and DNS SAN
# = the node id), a truststore holding the CA, and a self-signed "node-b" the CA never signed.
# Valid for 100 years. Password of every store: changeit. Run from this directory.
set -euo pipefail
pw=changeit
rm -f ./*.p12 ./*.pem ./*.csr
kt() { keytool -storetype PKCS12 -storepass "$pw" -keypass "$pw" "$@"; }
kt -genkeypair -alias ca -keyalg EC -groupname secp256r1 -dname CN=canary-test-ca -ext bc:c -validity 36500 -keystore ca.p12
kt -exportcert -alias ca -keystore ca.p12 -rfc -file ca.pem
kt -importcert -alias ca -file ca.pem -keystore truststore.p12 -noprompt
for n in node-a node-b node-c node-z; do
  kt -genkeypair -alias "$n" -keyalg EC -groupname secp256r1 -dname "CN=$n" -validity 36500 -keystore "$n.p12"
  kt -certreq -alias "$n" -keystore "$n.p12" -file "$n.csr"
  kt -gencert -alias ca -keystore ca.p12 -infile "$n.csr" -outfile "$n.pem" -validity 36500 -ext "san=dns:$n" -rfc
  kt -importcert -alias ca -file ca.pem -keystore "$n.p12" -noprompt
  kt -importcert -alias "$n" -file "$n.pem" -keystore "$n.p12" -noprompt
done
kt -genkeypair -alias node-b -keyalg EC -groupname secp256r1 -dname CN=node-b -validity 36500 -keystore untrusted-node-b.p12
rm -f ./*.pem ./*.csr ca.p12
