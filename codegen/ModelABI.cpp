//===- ModelABI.cpp - the model descriptor the runtime reads --------------===//
//
// See ModelABI.h. The LLVM struct is checked against the C layout of
// kiln_abi_model (runtime/src/kiln_abi.h) on every emission, and the
// runtime's ABI version check catches a library built by another kiln.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelABI.h"

#include "dialects/Kiln/KilnDialect.h"
#include "runtime/include/kiln/kiln.h"
#include "runtime/src/kiln_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/IR/IRBuilder.h"

using namespace mlir;
using namespace kiln;

static int32_t onnxElemType(Type t) {
  if (t.isF32())
    return KILN_FLOAT32;
  if (t.isF64())
    return KILN_FLOAT64;
  if (t.isInteger(64))
    return KILN_INT64;
  if (t.isInteger(32))
    return KILN_INT32;
  return KILN_ELEM_UNDEFINED;
}

static llvm::Error internalError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "internal error: " + msg);
}

FailureOr<ModelSignature> kiln::getModelSignature(ModuleOp module) {
  auto func = module.lookupSymbol<func::FuncOp>(kMainFunctionName);
  if (!func)
    return module.emitError() << "no @" << kMainFunctionName << " function";
  ModelSignature sig;
  sig.modelName = module.getSymName() ? module.getSymName()->str() : "model";
  FunctionType type = func.getFunctionType();
  auto collect = [&](TypeRange types, bool isArg, std::vector<TensorSignature> &out)
      -> LogicalResult {
    for (auto [i, t] : llvm::enumerate(types)) {
      auto tt = dyn_cast<RankedTensorType>(t);
      if (!tt || !tt.hasStaticShape() || !onnxElemType(tt.getElementType()))
        return func.emitError() << "unsupported model input/output type " << t;
      auto name = isArg ? func.getArgAttrOfType<StringAttr>(i, kNameAttr)
                        : func.getResultAttrOfType<StringAttr>(i, kNameAttr);
      out.push_back({name ? name.str() : (isArg ? "input" : "output") + std::to_string(i),
                     onnxElemType(tt.getElementType()),
                     std::vector<int64_t>(tt.getShape().begin(), tt.getShape().end())});
    }
    return success();
  };
  if (failed(collect(type.getInputs(), true, sig.inputs)) ||
      failed(collect(type.getResults(), false, sig.outputs)))
    return failure();
  return sig;
}

std::vector<LayerSignature> kiln::getLayerTable(ModuleOp module) {
  std::vector<LayerSignature> layers;
  auto table = module->getAttrOfType<ArrayAttr>(kLayersAttrName);
  if (!table)
    return layers;
  for (auto row : table.getAsRange<DictionaryAttr>()) {
    LayerSignature l;
    if (auto nodes = row.getAs<ArrayAttr>("nodes"))
      for (auto n : nodes.getAsRange<StringAttr>())
        l.nodes += (l.nodes.empty() ? "" : "+") + n.str();
    if (auto op = row.getAs<StringAttr>("op"))
      l.op = op.str();
    if (auto kernel = row.getAs<StringAttr>("kernel"))
      l.kernel = kernel.str();
    if (auto flops = row.getAs<IntegerAttr>("flops"))
      l.flops = (uint64_t)flops.getInt();
    layers.push_back(std::move(l));
  }
  return layers;
}

llvm::Error kiln::emitModelDescriptor(llvm::Module &m, const ModelSignature &sig,
                                      uint64_t arenaBytes,
                                      const std::vector<LayerSignature> &layers) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Function *entry = m.getFunction(kMainFunctionName);
  size_t numBuffers = sig.inputs.size() + sig.outputs.size();
  size_t numArgs = numBuffers + (arenaBytes ? 1 : 0);
  if (!entry || entry->arg_size() != numArgs)
    return internalError("@main_graph missing or with " +
                         llvm::Twine(entry ? entry->arg_size() : 0) +
                         " arguments, expected " + llvm::Twine(numArgs));
  entry->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::IRBuilder<> b(ctx);
  auto *ptrTy = llvm::PointerType::get(ctx, 0);
  auto *i32 = b.getInt32Ty();
  auto *i64 = b.getInt64Ty();

  // void invoke(void *const *buffers, void *scratch)
  auto *invokeTy = llvm::FunctionType::get(b.getVoidTy(), {ptrTy, ptrTy}, false);
  auto *invoke = llvm::Function::Create(invokeTy, llvm::GlobalValue::InternalLinkage,
                                        "kiln_invoke", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", invoke));
  std::vector<llvm::Value *> args;
  for (size_t i = 0; i < numBuffers; ++i) {
    llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptrTy, invoke->getArg(0), i);
    args.push_back(b.CreateLoad(ptrTy, slot));
  }
  if (arenaBytes)
    args.push_back(invoke->getArg(1)); // the instance's scratch arena
  b.CreateCall(entry, args);
  b.CreateRetVoid();

  auto cstring = [&](const std::string &s) -> llvm::Constant * {
    return b.CreateGlobalString(s, "kiln.str", 0, &m);
  };
  // struct kiln_abi_tensor { const char *name; int32 elem_type; int32 rank; const int64 *shape; }
  auto *tensorTy = llvm::StructType::get(ctx, {ptrTy, i32, i32, ptrTy});
  auto tensorArray = [&](const std::vector<TensorSignature> &ts,
                         const char *what) -> llvm::Constant * {
    std::vector<llvm::Constant *> elems;
    for (const auto &t : ts) {
      std::vector<llvm::Constant *> dims;
      for (int64_t d : t.shape)
        dims.push_back(llvm::ConstantInt::get(i64, d));
      auto *shapeTy = llvm::ArrayType::get(i64, dims.size());
      auto *shape = new llvm::GlobalVariable(
          m, shapeTy, true, llvm::GlobalValue::PrivateLinkage,
          llvm::ConstantArray::get(shapeTy, dims), "kiln.shape");
      elems.push_back(llvm::ConstantStruct::get(
          tensorTy, {cstring(t.name), llvm::ConstantInt::get(i32, t.elemType),
                     llvm::ConstantInt::get(i32, t.shape.size()), shape}));
    }
    auto *arrTy = llvm::ArrayType::get(tensorTy, elems.size());
    return new llvm::GlobalVariable(m, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(arrTy, elems), what);
  };
  // struct kiln_abi_layer { const char *nodes, *op, *kernel; uint64 flops; }
  auto *layerTy = llvm::StructType::get(ctx, {ptrTy, ptrTy, ptrTy, i64});
  llvm::Constant *layerTable = llvm::ConstantPointerNull::get(ptrTy);
  if (!layers.empty()) {
    std::vector<llvm::Constant *> rows;
    for (const LayerSignature &l : layers)
      rows.push_back(llvm::ConstantStruct::get(
          layerTy, {cstring(l.nodes), cstring(l.op), cstring(l.kernel),
                    llvm::ConstantInt::get(i64, l.flops)}));
    auto *arrTy = llvm::ArrayType::get(layerTy, rows.size());
    layerTable = new llvm::GlobalVariable(m, arrTy, true, llvm::GlobalValue::PrivateLinkage,
                                          llvm::ConstantArray::get(arrTy, rows),
                                          "kiln.layers");
  }
  // kiln_abi_model, field by field (kiln_abi.h).
  auto *modelTy = llvm::StructType::get(
      ctx, {i32, i32, i32, i32, ptrTy, ptrTy, ptrTy, ptrTy, i64, ptrTy, i64, i64, i64, ptrTy});
  static constexpr size_t offsets[] = {
      offsetof(kiln_abi_model, abi_version),   offsetof(kiln_abi_model, num_inputs),
      offsetof(kiln_abi_model, num_outputs),   offsetof(kiln_abi_model, device),
      offsetof(kiln_abi_model, inputs),        offsetof(kiln_abi_model, outputs),
      offsetof(kiln_abi_model, model_name),    offsetof(kiln_abi_model, invoke),
      offsetof(kiln_abi_model, scratch_bytes), offsetof(kiln_abi_model, device_image),
      offsetof(kiln_abi_model, device_image_bytes),
      offsetof(kiln_abi_model, device_scratch_bytes), offsetof(kiln_abi_model, num_layers),
      offsetof(kiln_abi_model, layers)};
  static constexpr size_t layerOffsets[] = {
      offsetof(kiln_abi_layer, nodes), offsetof(kiln_abi_layer, op),
      offsetof(kiln_abi_layer, kernel), offsetof(kiln_abi_layer, flops)};
  static constexpr size_t tensorOffsets[] = {
      offsetof(kiln_abi_tensor, name), offsetof(kiln_abi_tensor, elem_type),
      offsetof(kiln_abi_tensor, rank), offsetof(kiln_abi_tensor, shape)};
  // Both targets are LP64, like the machine kiln is built on.
  const llvm::DataLayout &dl = m.getDataLayout();
  const llvm::StructLayout *layout = dl.getStructLayout(modelTy);
  const llvm::StructLayout *tensorLayout = dl.getStructLayout(tensorTy);
  const llvm::StructLayout *layerLayout = dl.getStructLayout(layerTy);
  if (layout->getSizeInBytes() != sizeof(kiln_abi_model) ||
      tensorLayout->getSizeInBytes() != sizeof(kiln_abi_tensor) ||
      layerLayout->getSizeInBytes() != sizeof(kiln_abi_layer))
    return internalError("the emitted model descriptor does not match kiln_abi.h");
  for (auto [i, off] : llvm::enumerate(offsets))
    if (layout->getElementOffset(i) != off)
      return internalError("kiln_abi_model field " + llvm::Twine(i) +
                           " is misplaced in the emitted descriptor");
  for (auto [i, off] : llvm::enumerate(tensorOffsets))
    if (tensorLayout->getElementOffset(i) != off)
      return internalError("kiln_abi_tensor field " + llvm::Twine(i) + " is misplaced");
  for (auto [i, off] : llvm::enumerate(layerOffsets))
    if (layerLayout->getElementOffset(i) != off)
      return internalError("kiln_abi_layer field " + llvm::Twine(i) + " is misplaced");
  llvm::Constant *null = llvm::ConstantPointerNull::get(ptrTy);
  llvm::Constant *init = llvm::ConstantStruct::get(
      modelTy,
      {llvm::ConstantInt::get(i32, KILN_ABI_VERSION),
       llvm::ConstantInt::get(i32, sig.inputs.size()),
       llvm::ConstantInt::get(i32, sig.outputs.size()),
       llvm::ConstantInt::get(i32, KILN_ABI_DEVICE_CPU),
       tensorArray(sig.inputs, "kiln.inputs"), tensorArray(sig.outputs, "kiln.outputs"),
       cstring(sig.modelName), invoke, llvm::ConstantInt::get(i64, arenaBytes), null,
       llvm::ConstantInt::get(i64, 0), llvm::ConstantInt::get(i64, 0),
       llvm::ConstantInt::get(i64, layers.size()), layerTable});
  auto *desc = new llvm::GlobalVariable(m, modelTy, true,
                                        llvm::GlobalValue::ExternalLinkage, init,
                                        "kiln_generated_model");
  desc->setVisibility(llvm::GlobalValue::HiddenVisibility);
  return llvm::Error::success();
}
