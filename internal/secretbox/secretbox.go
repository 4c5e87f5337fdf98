// Package secretbox seals small secrets (Amazon refresh and access tokens)
// for storage with AES-256-GCM under a key derived from the server's secret
// key. The associated data binds a sealed value to its row, so a value
// copied to another row does not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Box seals and opens values.
type Box struct {
	aead cipher.AEAD
}

// New derives the sealing key from secret with HKDF-SHA256.
func New(secret string) (*Box, error) {
	if len(secret) < 16 {
		return nil, errors.New("secretbox: secret key too short")
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "paypage token sealing v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to context (for example "merchant/customer").
func (b *Box) Seal(plaintext, context string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context)), nil
}

// ErrOpen means a sealed value was damaged, sealed under another key, or
// bound to another context.
var ErrOpen = errors.New("secretbox: cannot open sealed value")

// Open decrypts a value from Seal with the same context.
func (b *Box) Open(sealed []byte, context string) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return "", ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(pt), nil
}
