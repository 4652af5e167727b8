/* The services' key/value store: a fixed open-addressing hash table in static memory. */
#ifndef GUEST_KVSTORE_H
#define GUEST_KVSTORE_H

#include <stdbool.h>
#include <stddef.h>

#define KV_KEY_MAX   64
#define KV_VALUE_MAX 1024

enum kv_result { KV_OK, KV_FULL, KV_KEY_TOO_LONG, KV_VALUE_TOO_LONG };

/* Returns the value (not NUL-terminated) and its length, or NULL if the key is absent. */
const char *kv_get(const char *key, size_t key_len, size_t *value_len);
enum kv_result kv_set(const char *key, size_t key_len, const char *value, size_t value_len);
/* Removes the key; true if it was there. */
bool kv_delete(const char *key, size_t key_len);
size_t kv_count(void);
void kv_clear(void);

#endif
