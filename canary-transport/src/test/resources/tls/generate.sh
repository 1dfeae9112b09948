#!/usr/bin/env bash
# Regenerates the test certificates: a CA, a PKCS12 keystore per node signed by it (CN and DNS SAN
# = the node id), a truststore holding the CA, and a self-signed "node-b" the CA never signed.
# Valid for 100 years. Password of every store: changeit. Run from this directory.
set -euo pipefail
pw=changeit
kt() { keytool -storetype PKCS12 -storepass "$pw" -keypass "$pw" "$@"; }
# The TLS star of ManyPeersTest: its own CA (mesh-truststore.p12) and one keystore whose certificate
# names every node (DNS SANs t21-00 .. t21-20), so 21 nodes need one store, not 21. Its stores are
# protected with 1 PBE/MAC iteration instead of 10,000: 21 nodes load them in one test JVM, and on a
# busy 2-core machine 10,000 iterations cost ~0.5-2 s per node (test data; nothing to protect).
# Run alone with: ./generate.sh mesh
mesh() {
  local fast="-J-Dkeystore.pkcs12.certPbeIterationCount=1 -J-Dkeystore.pkcs12.keyPbeIterationCount=1 -J-Dkeystore.pkcs12.macIterationCount=1"
  ktm() { keytool $fast -storetype PKCS12 -storepass "$pw" -keypass "$pw" "$@"; }
  rm -f mesh.p12 mesh-truststore.p12 mesh-ca.p12
  ktm -genkeypair -alias ca -keyalg EC -groupname secp256r1 -dname CN=canary-mesh-ca -ext bc:c -validity 36500 -keystore mesh-ca.p12
  ktm -exportcert -alias ca -keystore mesh-ca.p12 -rfc -file mesh-ca.pem
  ktm -importcert -alias ca -file mesh-ca.pem -keystore mesh-truststore.p12 -noprompt
  san=$(for i in $(seq -w 0 20); do printf 'dns:t21-%s,' "$i"; done)
  ktm -genkeypair -alias mesh -keyalg EC -groupname secp256r1 -dname "CN=t21-00" -validity 36500 -keystore mesh.p12
  ktm -certreq -alias mesh -keystore mesh.p12 -file mesh.csr
  ktm -gencert -alias ca -keystore mesh-ca.p12 -infile mesh.csr -outfile mesh.pem -validity 36500 -ext "san=${san%,}" -rfc
  ktm -importcert -alias ca -file mesh-ca.pem -keystore mesh.p12 -noprompt
  ktm -importcert -alias mesh -file mesh.pem -keystore mesh.p12 -noprompt
  rm -f mesh-ca.pem mesh.csr mesh.pem mesh-ca.p12
}
if [[ "${1:-}" == mesh ]]; then mesh; exit 0; fi
rm -f ./*.p12 ./*.pem ./*.csr
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
mesh

