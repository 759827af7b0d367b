#pragma once
/// A grid of grey-scale images as a PNG (sample grids of the image experiments): images [N, S, S]
/// or [N, S·S] with values in [0, 1] (clamped; black = 0), `columns` per row, each pixel drawn as
/// `zoom` × `zoom` screen pixels, an optional title above and a label left of each row.
#include <string>
#include <vector>

#include <torch/types.h>

namespace esvgd::plot {

struct ImageGridOptions {
  int64_t columns = 8;
  int64_t zoom = 2;
  std::string title;
  std::vector<std::string> row_labels;  ///< empty, or one per row
};

/// Writes the grid atomically; errors name the path (kIo) or the bad argument.
void save_image_grid(const std::string& path, const torch::Tensor& images, const ImageGridOptions& options = {});

}  // namespace esvgd::plot
