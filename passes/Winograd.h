//===- Winograd.h - Winograd F(m x m, 3 x 3) transform matrices --*- C++ -*-===//
//
// The minimal-filtering algorithm of Lavin & Gray ("Fast Algorithms for
// Convolutional Neural Networks", 2016) for a 3x3 cross-correlation: an
// m x m output tile from an A x A input tile, A = m + 2,
//
//   Y = AT [ (G g GT) (.) (BT d B) ] A
//
// F(2x2, 3x3) interpolates at 0, 1, -1, inf; F(4x4, 3x3) at 0, 1, -1, 2,
// -2, inf (the matrices NNPACK and wincnn use). The filter transform G g GT
// runs at compile time (kiln-pack-filters), the others in the generated
// code (convert-kiln-to-linalg), both from these tables, so the two can
// never disagree.
//
// Error: F(4x4)'s transforms have coefficients up to 5 (BT) and 8 (AT), so
// its rounding error grows faster than F(2x2)'s (coefficients 1). Measured
// against the direct convolution in float32 on ResNet50's 3x3 shapes,
// max |wino - direct| / max |direct|: F(2x2) <= 2.7e-6, F(4x4) <= 1.7e-5
// (test/Integration/winograd.test checks 1e-5 and 1e-4; README "Winograd").
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_WINOGRAD_H
#define KILN_PASSES_WINOGRAD_H

#include <cstdint>

namespace kiln {

struct WinogradMatrices {
  int64_t m;        ///< output tile
  int64_t a;        ///< input tile, m + 2
  const double *bt; ///< [a][a]: input transform (rows of BT)
  const double *g;  ///< [a][3]: filter transform
  const double *at; ///< [m][a]: output transform
};

inline WinogradMatrices winogradMatrices(int64_t m) {
  static const double bt2[] = {1, 0, -1, 0, //
                               0, 1, 1,  0, //
                               0, -1, 1, 0, //
                               0, 1, 0,  -1};
  static const double g2[] = {1,   0,    0,   //
                              0.5, 0.5,  0.5, //
                              0.5, -0.5, 0.5, //
                              0,   0,    1};
  static const double at2[] = {1, 1, 1, 0, //
                               0, 1, -1, -1};
  static const double bt4[] = {4, 0,  -5, 0,  1, 0, //
                               0, -4, -4, 1,  1, 0, //
                               0, 4,  -4, -1, 1, 0, //
                               0, -2, -1, 2,  1, 0, //
                               0, 2,  -1, -2, 1, 0, //
                               0, 4,  0,  -5, 0, 1};
  static const double g4[] = {1.0 / 4,   0,          0,         //
                              -1.0 / 6,  -1.0 / 6,   -1.0 / 6,  //
                              -1.0 / 6,  1.0 / 6,    -1.0 / 6,  //
                              1.0 / 24,  1.0 / 12,   1.0 / 6,   //
                              1.0 / 24,  -1.0 / 12,  1.0 / 6,   //
                              0,         0,          1};
  static const double at4[] = {1, 1, 1,  1, 1,  0, //
                               0, 1, -1, 2, -2, 0, //
                               0, 1, 1,  4, 4,  0, //
                               0, 1, -1, 8, -8, 1};
  if (m == 2)
    return {2, 4, bt2, g2, at2};
  return {4, 6, bt4, g4, at4};
}

} // namespace kiln

#endif // KILN_PASSES_WINOGRAD_H
