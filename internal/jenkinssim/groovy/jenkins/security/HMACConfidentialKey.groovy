package jenkins.security

import jenkinssim.SimDisk

import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

// HMAC-SHA256 under a per-instance secret that survives restarts (SimDisk), truncated to `length` bytes.
class HMACConfidentialKey {
    final String id
    final int length

    HMACConfidentialKey(String id, int length) {
        this.id = id
        this.length = length
    }

    static HMACConfidentialKey of(String id, int length) { new HMACConfidentialKey(id, length) }

    String mac(String message) {
        Mac m = Mac.getInstance('HmacSHA256')
        m.init(new SecretKeySpec(SimDisk.secret(id).decodeHex(), 'HmacSHA256'))
        byte[] full = m.doFinal(message.getBytes('UTF-8'))
        Arrays.copyOf(full, length).encodeHex().toString()
    }

    boolean checkMac(String message, String mac) { mac(message) == mac }
}
