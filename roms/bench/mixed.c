// A mixed workload in CoreMark's shape (EEMBC CoreMark 1.0: list processing, matrix
// manipulation, a state machine and CRC-16 in one loop), written for this repository:
// the four parts run on the same small data set each iteration and each part's result
// feeds the CRC that seeds the next iteration, so no part can be skipped or reordered.
//   - lists: a pool of nodes linked in random order; find, reverse, merge sort by value,
//     then by index (pointer chasing, data-dependent branches);
//   - matrix: 16-bit matrices, add/multiply by a constant, matrix-vector and
//     matrix-matrix products, a bit-field extract pass (multiplies, short loads);
//   - state machine: a scanner that classifies comma-separated tokens as integers,
//     decimals, scientific numbers or invalid (a switch per byte);
//   - CRC-16 (the ARC variant CoreMark uses) over every result.
#include "bench.h"

const char bench_name[] = "mixed";

// ---- CRC-16/ARC: reflected polynomial 0x8005 (0xA001), initial value 0.
static uint16_t crc16_byte(uint8_t data, uint16_t crc) {
  for (int i = 0; i < 8; ++i) {
    const uint16_t mix = (uint16_t)((data ^ crc) & 1);
    data >>= 1;
    crc >>= 1;
    if (mix) crc ^= 0xa001;
  }
  return crc;
}

static uint16_t crc16_u16(uint16_t v, uint16_t crc) {
  crc = crc16_byte((uint8_t)v, crc);
  return crc16_byte((uint8_t)(v >> 8), crc);
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc) {
  crc = crc16_u16((uint16_t)v, crc);
  return crc16_u16((uint16_t)(v >> 16), crc);
}

// ---- Lists.
enum { kNodes = 256 };

typedef struct Node {
  struct Node* next;
  int16_t value;
  int16_t index;
} Node;

static Node nodes[kNodes];

// Links the pool in the order of a random permutation.
static Node* list_init(uint64_t* seed) {
  static int16_t order[kNodes];
  for (int i = 0; i < kNodes; ++i) order[i] = (int16_t)i;
  for (int i = kNodes - 1; i > 0; --i) {
    const int j = (int)(bench_next(seed) % (uint64_t)(i + 1));
    const int16_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  Node* head = 0;
  for (int i = kNodes - 1; i >= 0; --i) {
    Node* n = &nodes[order[i]];
    n->index = order[i];
    n->value = (int16_t)(bench_next(seed) & 0x7fff);
    n->next = head;
    head = n;
  }
  return head;
}

static Node* list_find(Node* head, int16_t value) {
  while (head != 0 && head->value != value) head = head->next;
  return head;
}

static Node* list_reverse(Node* head) {
  Node* prev = 0;
  while (head != 0) {
    Node* next = head->next;
    head->next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

static int cmp_value(const Node* a, const Node* b) {
  if (a->value != b->value) return a->value < b->value ? -1 : 1;
  return a->index - b->index;
}

static int cmp_index(const Node* a, const Node* b) {
  return a->index - b->index;
}

// Bottom-up merge sort of a singly linked list (Simon Tatham's algorithm), stable.
static Node* list_sort(Node* head, int (*cmp)(const Node*, const Node*)) {
  for (int width = 1;; width *= 2) {
    Node* p = head;
    Node* tail = 0;
    head = 0;
    int merges = 0;
    while (p != 0) {
      ++merges;
      Node* q = p;
      int psize = 0;
      for (int i = 0; i < width && q != 0; ++i) {
        ++psize;
        q = q->next;
      }
      int qsize = width;
      while (psize > 0 || (qsize > 0 && q != 0)) {
        Node* e;
        if (psize == 0) {
          e = q;
          q = q->next;
          --qsize;
        } else if (qsize == 0 || q == 0 || cmp(p, q) <= 0) {
          e = p;
          p = p->next;
          --psize;
        } else {
          e = q;
          q = q->next;
          --qsize;
        }
        if (tail != 0) {
          tail->next = e;
        } else {
          head = e;
        }
        tail = e;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return head;
  }
}

static uint16_t list_bench(Node** list, uint16_t seed, uint16_t crc) {
  Node* head = *list;
  // Finds: half of the probed values are in the list (by construction of the probe).
  int found = 0, missed = 0;
  for (int i = 0; i < 16; ++i) {
    const int16_t probe = (i & 1) ? nodes[(seed + i * 37) % kNodes].value : (int16_t)(seed + i);
    const Node* n = list_find(head, probe);
    if (n != 0) {
      found += 4;
      crc = crc16_u16((uint16_t)n->index, crc);
    } else {
      ++missed;
    }
  }
  head = list_reverse(head);
  head = list_sort(head, cmp_value);
  // Fold the sorted values, then perturb them with the seed so the next sort has work.
  uint32_t check = 0;
  for (const Node* n = head; n != 0; n = n->next) {
    check = check * 31 + (uint16_t)n->value;
    if (n->next != 0 && cmp_value(n, n->next) > 0) check ^= 0xdead;  // never: sorted
  }
  for (Node* n = head; n != 0; n = n->next) {
    n->value = (int16_t)((n->value ^ (seed + n->index * 7)) & 0x7fff);
  }
  head = list_sort(head, cmp_index);
  crc = crc16_u32(check, crc);
  crc = crc16_u16((uint16_t)(found * 8 + missed), crc);
  *list = head;
  return crc;
}

// ---- Matrices.
enum { kDim = 24 };

static int16_t mat_a[kDim * kDim];
static int16_t mat_b[kDim * kDim];
static int32_t mat_c[kDim * kDim];

static void matrix_init(uint64_t* seed) {
  for (int i = 0; i < kDim * kDim; ++i) {
    const uint64_t r = bench_next(seed);
    mat_a[i] = (int16_t)((r & 0xff) - 128);
    mat_b[i] = (int16_t)(((r >> 8) & 0xff) - 128);
  }
}

static uint16_t matrix_sum(const int32_t* c, int32_t clip, uint16_t crc) {
  int32_t tmp = 0, prev = 0;
  int16_t ret = 0;
  for (int i = 0; i < kDim * kDim; ++i) {
    const int32_t cur = c[i];
    tmp += cur;
    if (tmp > clip) {
      ret += 10;
      tmp = 0;
    } else {
      ret += (cur > prev) ? 1 : 0;
    }
    prev = cur;
  }
  return crc16_u16((uint16_t)ret, crc);
}

static uint16_t matrix_bench(int16_t value, uint16_t crc) {
  const int32_t clip = (value == 0) ? 0x1000 : 0x10000 + (value & 0xfff);
  // Add a constant.
  for (int i = 0; i < kDim * kDim; ++i) mat_a[i] = (int16_t)(mat_a[i] + value);
  // Multiply by a constant.
  for (int i = 0; i < kDim * kDim; ++i) mat_c[i] = (int32_t)mat_a[i] * value;
  crc = matrix_sum(mat_c, clip, crc);
  // Matrix times vector (the first row of B).
  for (int i = 0; i < kDim; ++i) {
    int32_t acc = 0;
    for (int j = 0; j < kDim; ++j) acc += (int32_t)mat_a[i * kDim + j] * mat_b[j];
    mat_c[i] = acc;
  }
  crc = matrix_sum(mat_c, clip, crc);
  // Matrix times matrix.
  for (int i = 0; i < kDim; ++i) {
    for (int j = 0; j < kDim; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < kDim; ++k) acc += (int32_t)mat_a[i * kDim + k] * mat_b[k * kDim + j];
      mat_c[i * kDim + j] = acc;
    }
  }
  crc = matrix_sum(mat_c, clip, crc);
  // Matrix times matrix, on bit fields of the products.
  for (int i = 0; i < kDim; ++i) {
    for (int j = 0; j < kDim; ++j) {
      int32_t acc = 0;
      for (int k = 0; k < kDim; ++k) {
        const int32_t p = (int32_t)mat_a[i * kDim + k] * mat_b[k * kDim + j];
        acc += ((p >> 2) & 0xf) * ((p >> 5) & 0x7f);
      }
      mat_c[i * kDim + j] = acc;
    }
  }
  crc = matrix_sum(mat_c, clip, crc);
  // Undo the constant so the values stay bounded across iterations.
  for (int i = 0; i < kDim * kDim; ++i) mat_a[i] = (int16_t)(mat_a[i] - value);
  return crc;
}

// ---- State machine.
enum State { kStart, kInvalid, kInt, kDecimal, kExpStart, kExpSign, kScientific, kStates };

enum { kTextBytes = 512 };
static uint8_t text[kTextBytes];

// A comma-separated list of tokens, some valid numbers of each kind, some corrupt.
static void text_init(uint64_t* seed) {
  static const char* const tokens[] = {"5012",     "1234",     "-874",     "+122",     "35.54",
                                       "-.5",      "0.88",     "5.500e+3", "-.123e-2", "-87e+832",
                                       "+0.6e-12", "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};
  int pos = 0;
  while (pos < kTextBytes - 1) {
    const char* t = tokens[bench_next(seed) % (sizeof tokens / sizeof tokens[0])];
    while (*t != 0 && pos < kTextBytes - 1) text[pos++] = (uint8_t)*t++;
    if (pos < kTextBytes - 1) text[pos++] = ',';
  }
  text[kTextBytes - 1] = 0;
}

static int is_digit(uint8_t c) {
  return c >= '0' && c <= '9';
}

// Scans one token from *p; returns its final state and counts every transition.
static enum State scan_token(const uint8_t** p, uint32_t* transitions) {
  const uint8_t* s = *p;
  enum State state = kStart;
  for (; *s != 0 && state != kInvalid; ++s) {
    const uint8_t c = *s;
    if (c == ',') {
      ++s;
      break;
    }
    const enum State before = state;
    switch (state) {
      case kStart:
        if (is_digit(c)) {
          state = kInt;
        } else if (c == '+' || c == '-') {
          state = kStart;
        } else if (c == '.') {
          state = kDecimal;
        } else {
          state = kInvalid;
        }
        break;
      case kInt:
        if (c == '.') {
          state = kDecimal;
        } else if (c == 'e' || c == 'E') {
          state = kExpStart;
        } else if (!is_digit(c)) {
          state = kInvalid;
        }
        break;
      case kDecimal:
        if (c == 'e' || c == 'E') {
          state = kExpStart;
        } else if (!is_digit(c)) {
          state = kInvalid;
        }
        break;
      case kExpStart:
        state = (c == '+' || c == '-') ? kExpSign : kInvalid;
        break;
      case kExpSign:
        state = is_digit(c) ? kScientific : kInvalid;
        break;
      case kScientific:
        if (!is_digit(c)) state = kInvalid;
        break;
      default:
        break;
    }
    if (state != before) ++transitions[before];
  }
  if (state == kInvalid) {
    while (*s != 0 && *s != ',') ++s;
    if (*s == ',') ++s;
  }
  *p = s;
  return state;
}

static uint16_t state_bench(uint16_t seed, uint16_t crc) {
  uint32_t finals[kStates] = {0};
  uint32_t transitions[kStates] = {0};
  const uint8_t* p = text;
  while (*p != 0) ++finals[scan_token(&p, transitions)];
  for (int i = 0; i < kStates; ++i) {
    crc = crc16_u32(finals[i], crc);
    crc = crc16_u32(transitions[i], crc);
  }
  // Corrupt every 32nd byte (not a separator) with the seed and scan again, then restore.
  uint8_t saved[kTextBytes / 32];
  for (int i = 0, k = 0; i < kTextBytes - 1; i += 32, ++k) {
    saved[k] = text[i];
    if (text[i] != ',') text[i] ^= (uint8_t)(seed & 0x1f);
    if (text[i] == 0) text[i] = '0';
  }
  p = text;
  while (*p != 0) ++finals[scan_token(&p, transitions)];
  for (int i = 0, k = 0; i < kTextBytes - 1; i += 32, ++k) text[i] = saved[k];
  for (int i = 0; i < kStates; ++i) crc = crc16_u32(finals[i] + transitions[i], crc);
  return crc;
}

// ---- Driver.
int bench_selftest(void) {
  // CRC-16/ARC's catalogue check value: the ASCII digits "123456789".
  static const uint8_t digits[] = "123456789";
  uint16_t crc = 0;
  for (int i = 0; i < 9; ++i) crc = crc16_byte(digits[i], crc);
  if (crc != 0xbb3d) return 1;
  // A list sorts: 256 nodes in random order come back ordered by value.
  uint64_t seed = 7;
  Node* head = list_sort(list_init(&seed), cmp_value);
  int count = 0;
  for (const Node* n = head; n != 0; n = n->next, ++count) {
    if (n->next != 0 && cmp_value(n, n->next) > 0) return 2;
  }
  if (count != kNodes) return 3;
  // The scanner: "5012" is an integer, "-.123e-2" scientific, "1T3" invalid.
  static const uint8_t sample[] = "5012,-.123e-2,1T3,35.54";
  const uint8_t* p = sample;
  uint32_t transitions[kStates] = {0};
  if (scan_token(&p, transitions) != kInt) return 4;
  if (scan_token(&p, transitions) != kScientific) return 5;
  if (scan_token(&p, transitions) != kInvalid) return 6;
  if (scan_token(&p, transitions) != kDecimal) return 7;
  return 0;
}

uint64_t bench_run(void) {
  uint64_t seed = 0x636f72656d61726bULL;
  Node* list = list_init(&seed);
  matrix_init(&seed);
  text_init(&seed);
  uint16_t crc = 0;
  uint64_t sum = 0;
  const int iterations = 40 * BENCH_SCALE;
  for (int i = 0; i < iterations; ++i) {
    const uint16_t s = (uint16_t)(crc ^ i);
    crc = list_bench(&list, s, crc);
    crc = matrix_bench((int16_t)((s & 0xff) | 1), crc);
    crc = state_bench(s, crc);
    sum = bench_fold(sum, crc);
  }
  return sum;
}
