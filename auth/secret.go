package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to
// find in logs and repositories.
const TokenPrefix = "chy_"

// NewSecret returns 32 random bytes, unpadded base64url.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewToken returns a new API token secret: chy_ and 43 base64url
// characters.
func NewToken() string { return TokenPrefix + NewSecret() }

// ValidToken reports whether s has the shape of a token NewToken returns.
func ValidToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(rest) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil && len(b) == 32
}

// HashSecret returns the hex SHA-256 of a token or session id: what the
// store keeps. A 256-bit random secret needs no salt or slow hash.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
