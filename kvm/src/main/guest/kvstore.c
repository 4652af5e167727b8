/*
 * Open addressing with linear probing: probing stops at a free slot, so a deletion shifts the
 * entries behind it back (Knuth's algorithm R) instead of leaving a tombstone.
 */
#include "kvstore.h"
#include "lib.h"

#define KV_SLOTS       1024              /* power of two */
#define KV_MAX_ENTRIES (KV_SLOTS * 7 / 8) /* keep probe chains short */

struct kv_entry {
    uint16_t key_len;   /* 0 = free slot (keys are never empty) */
    uint16_t value_len;
    char key[KV_KEY_MAX];
    char value[KV_VALUE_MAX];
};

static struct kv_entry kv_table[KV_SLOTS];
static size_t kv_entries;

static uint32_t kv_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)key[i]) * 16777619u;
    return h;
}

/* The entry holding key, or the free slot where it would go. */
static struct kv_entry *kv_slot(const char *key, size_t len)
{
    for (uint32_t i = kv_hash(key, len);; i++) {
        struct kv_entry *e = &kv_table[i & (KV_SLOTS - 1)];
        if (e->key_len == 0 || (e->key_len == len && memcmp(e->key, key, len) == 0))
            return e;
    }
}

const char *kv_get(const char *key, size_t key_len, size_t *value_len)
{
    if (key_len == 0 || key_len > KV_KEY_MAX)
        return NULL;
    struct kv_entry *e = kv_slot(key, key_len);
    if (e->key_len == 0)
        return NULL;
    *value_len = e->value_len;
    return e->value;
}

enum kv_result kv_set(const char *key, size_t key_len, const char *value, size_t value_len)
{
    if (key_len == 0 || key_len > KV_KEY_MAX)
        return KV_KEY_TOO_LONG;
    if (value_len > KV_VALUE_MAX)
        return KV_VALUE_TOO_LONG;
    struct kv_entry *e = kv_slot(key, key_len);
    if (e->key_len == 0) {
        if (kv_entries >= KV_MAX_ENTRIES)
            return KV_FULL;
        kv_entries++;
        memcpy(e->key, key, key_len);
        e->key_len = (uint16_t)key_len;
    }
    memcpy(e->value, value, value_len);
    e->value_len = (uint16_t)value_len;
    return KV_OK;
}

bool kv_delete(const char *key, size_t key_len)
{
    if (key_len == 0 || key_len > KV_KEY_MAX)
        return false;
    struct kv_entry *e = kv_slot(key, key_len);
    if (e->key_len == 0)
        return false;
    uint32_t hole = (uint32_t)(e - kv_table);
    e->key_len = 0;
    kv_entries--;
    /* Every entry after the hole, up to the next free slot, moves into the hole unless its home
     * slot lies cyclically in (hole, j]: it would then become unreachable from its home. */
    for (uint32_t j = (hole + 1) & (KV_SLOTS - 1); kv_table[j].key_len != 0; j = (j + 1) & (KV_SLOTS - 1)) {
        struct kv_entry *m = &kv_table[j];
        uint32_t home = kv_hash(m->key, m->key_len) & (KV_SLOTS - 1);
        bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (stays)
            continue;
        struct kv_entry *h = &kv_table[hole];
        memcpy(h->key, m->key, m->key_len);
        memcpy(h->value, m->value, m->value_len);
        h->key_len = m->key_len;
        h->value_len = m->value_len;
        m->key_len = 0;
        hole = j;
    }
    return true;
}

size_t kv_count(void)
{
    return kv_entries;
}

void kv_clear(void)
{
    for (size_t i = 0; i < KV_SLOTS; i++)
        kv_table[i].key_len = 0;
    kv_entries = 0;
}
