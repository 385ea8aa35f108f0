using System.Runtime.InteropServices;

namespace EcgStream.Inference.Native;

/// <summary>
/// <c>OrtApiBase</c> of onnxruntime_c_api.h, returned by the exported <c>OrtGetApiBase()</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OrtApiBase
{
    /// <summary>const OrtApi* (uint32_t version) — NULL when the library does not support that version.</summary>
    public delegate* unmanaged[Cdecl]<uint, OrtApi*> GetApi;
    /// <summary>const char* (void) — e.g. "1.30.0".</summary>
    public delegate* unmanaged[Cdecl]<byte*> GetVersionString;
}

/// <summary>
/// The <c>OrtApi</c> function table of onnxruntime_c_api.h, field for field in the header's order
/// (the table only ever grows at its end, so a prefix is valid for every API version ≥ 13). Every
/// entry up to the last one we call is listed; the ones we call are typed, with the C signature in
/// their comment (OrtStatus* is null on success). Entry [n] is the n-th pointer of the table.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OrtApi
{
    /// <summary>[0] OrtStatus* (OrtErrorCode code, const char* msg)</summary>
    public delegate* unmanaged[Cdecl]<int, byte*, nint> CreateStatus;
    /// <summary>[1] OrtErrorCode (const OrtStatus* status)</summary>
    public delegate* unmanaged[Cdecl]<nint, int> GetErrorCode;
    /// <summary>[2] const char* (const OrtStatus* status)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage;
    public nint CreateEnv; // [3] not used
    /// <summary>[4] OrtStatus* (OrtLoggingFunction logging_function, void* logger_param, OrtLoggingLevel log_severity_level, const char* logid, OrtEnv** out)</summary>
    public delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<nint, int, byte*, byte*, byte*, byte*, void>, nint, int, byte*, nint*, nint> CreateEnvWithCustomLogger;
    public nint EnableTelemetryEvents; // [5] not used
    public nint DisableTelemetryEvents; // [6] not used
    /// <summary>[7] OrtStatus* (const OrtEnv* env, const ORTCHAR_T* model_path, const OrtSessionOptions* options, OrtSession** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint> CreateSession;
    /// <summary>[8] OrtStatus* (const OrtEnv* env, const void* model_data, size_t model_data_length, const OrtSessionOptions* options, OrtSession** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*, nuint, nint, nint*, nint> CreateSessionFromArray;
    /// <summary>[9] OrtStatus* (OrtSession* session, const OrtRunOptions* run_options, const char* const* input_names, const OrtValue* const* inputs, size_t input_len, const char* const* output_names, size_t output_names_len, OrtValue** outputs)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run;
    /// <summary>[10] OrtStatus* (OrtSessionOptions** options)</summary>
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateSessionOptions;
    /// <summary>[11] OrtStatus* (OrtSessionOptions* options, const ORTCHAR_T* optimized_model_filepath)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*, nint> SetOptimizedModelFilePath;
    public nint CloneSessionOptions; // [12] not used
    public nint SetSessionExecutionMode; // [13] not used
    public nint EnableProfiling; // [14] not used
    public nint DisableProfiling; // [15] not used
    public nint EnableMemPattern; // [16] not used
    public nint DisableMemPattern; // [17] not used
    public nint EnableCpuMemArena; // [18] not used
    public nint DisableCpuMemArena; // [19] not used
    /// <summary>[20] OrtStatus* (OrtSessionOptions* options, const char* logid)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*, nint> SetSessionLogId;
    public nint SetSessionLogVerbosityLevel; // [21] not used
    /// <summary>[22] OrtStatus* (OrtSessionOptions* options, int session_log_severity_level)</summary>
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionLogSeverityLevel;
    /// <summary>[23] OrtStatus* (OrtSessionOptions* options, GraphOptimizationLevel graph_optimization_level)</summary>
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionGraphOptimizationLevel;
    /// <summary>[24] OrtStatus* (OrtSessionOptions* options, int intra_op_num_threads)</summary>
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads;
    /// <summary>[25] OrtStatus* (OrtSessionOptions* options, int inter_op_num_threads)</summary>
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads;
    public nint CreateCustomOpDomain; // [26] not used
    public nint CustomOpDomain_Add; // [27] not used
    public nint AddCustomOpDomain; // [28] not used
    public nint RegisterCustomOpsLibrary; // [29] not used
    /// <summary>[30] OrtStatus* (const OrtSession* session, size_t* out)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount;
    /// <summary>[31] OrtStatus* (const OrtSession* session, size_t* out)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount;
    public nint SessionGetOverridableInitializerCount; // [32] not used
    /// <summary>[33] OrtStatus* (const OrtSession* session, size_t index, OrtTypeInfo** type_info)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetInputTypeInfo;
    /// <summary>[34] OrtStatus* (const OrtSession* session, size_t index, OrtTypeInfo** type_info)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOutputTypeInfo;
    public nint SessionGetOverridableInitializerTypeInfo; // [35] not used
    /// <summary>[36] OrtStatus* (const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetInputName;
    /// <summary>[37] OrtStatus* (const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOutputName;
    public nint SessionGetOverridableInitializerName; // [38] not used
    public nint CreateRunOptions; // [39] not used
    public nint RunOptionsSetRunLogVerbosityLevel; // [40] not used
    public nint RunOptionsSetRunLogSeverityLevel; // [41] not used
    public nint RunOptionsSetRunTag; // [42] not used
    public nint RunOptionsGetRunLogVerbosityLevel; // [43] not used
    public nint RunOptionsGetRunLogSeverityLevel; // [44] not used
    public nint RunOptionsGetRunTag; // [45] not used
    public nint RunOptionsSetTerminate; // [46] not used
    public nint RunOptionsUnsetTerminate; // [47] not used
    public nint CreateTensorAsOrtValue; // [48] not used
    /// <summary>[49] OrtStatus* (const OrtMemoryInfo* info, void* p_data, size_t p_data_len, const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue;
    public nint IsTensor; // [50] not used
    /// <summary>[51] OrtStatus* (OrtValue* value, void** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData;
    public nint FillStringTensor; // [52] not used
    public nint GetStringTensorDataLength; // [53] not used
    public nint GetStringTensorContent; // [54] not used
    /// <summary>[55] OrtStatus* (const OrtTypeInfo* type_info, const OrtTensorTypeAndShapeInfo** out) — out is owned by type_info</summary>
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> CastTypeInfoToTensorInfo;
    /// <summary>[56] OrtStatus* (const OrtTypeInfo* type_info, enum ONNXType* out)</summary>
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetOnnxTypeFromTypeInfo;
    public nint CreateTensorTypeAndShapeInfo; // [57] not used
    public nint SetTensorElementType; // [58] not used
    public nint SetDimensions; // [59] not used
    /// <summary>[60] OrtStatus* (const OrtTensorTypeAndShapeInfo* info, enum ONNXTensorElementDataType* out)</summary>
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetTensorElementType;
    /// <summary>[61] OrtStatus* (const OrtTensorTypeAndShapeInfo* info, size_t* out)</summary>
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount;
    /// <summary>[62] OrtStatus* (const OrtTensorTypeAndShapeInfo* info, int64_t* dim_values, size_t dim_values_length)</summary>
    public delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions;
    /// <summary>[63] OrtStatus* (const OrtTensorTypeAndShapeInfo* info, const char* dim_params[], size_t dim_params_length)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> GetSymbolicDimensions;
    public nint GetTensorShapeElementCount; // [64] not used
    /// <summary>[65] OrtStatus* (const OrtValue* value, OrtTensorTypeAndShapeInfo** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> GetTensorTypeAndShape;
    public nint GetTypeInfo; // [66] not used
    public nint GetValueType; // [67] not used
    public nint CreateMemoryInfo; // [68] not used
    /// <summary>[69] OrtStatus* (enum OrtAllocatorType type, enum OrtMemType mem_type, OrtMemoryInfo** out)</summary>
    public delegate* unmanaged[Cdecl]<int, int, nint*, nint> CreateCpuMemoryInfo;
    public nint CompareMemoryInfo; // [70] not used
    public nint MemoryInfoGetName; // [71] not used
    public nint MemoryInfoGetId; // [72] not used
    public nint MemoryInfoGetMemType; // [73] not used
    public nint MemoryInfoGetType; // [74] not used
    public nint AllocatorAlloc; // [75] not used
    /// <summary>[76] OrtStatus* (OrtAllocator* ort_allocator, void* p)</summary>
    public delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree;
    public nint AllocatorGetInfo; // [77] not used
    /// <summary>[78] OrtStatus* (OrtAllocator** out) — out is owned by ORT, never released</summary>
    public delegate* unmanaged[Cdecl]<nint*, nint> GetAllocatorWithDefaultOptions;
    public nint AddFreeDimensionOverride; // [79] not used
    public nint GetValue; // [80] not used
    public nint GetValueCount; // [81] not used
    public nint CreateValue; // [82] not used
    public nint CreateOpaqueValue; // [83] not used
    public nint GetOpaqueValue; // [84] not used
    public nint KernelInfoGetAttribute_float; // [85] not used
    public nint KernelInfoGetAttribute_int64; // [86] not used
    public nint KernelInfoGetAttribute_string; // [87] not used
    public nint KernelContext_GetInputCount; // [88] not used
    public nint KernelContext_GetOutputCount; // [89] not used
    public nint KernelContext_GetInput; // [90] not used
    public nint KernelContext_GetOutput; // [91] not used
    /// <summary>[92] void (OrtEnv* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv;
    /// <summary>[93] void (OrtStatus* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus;
    /// <summary>[94] void (OrtMemoryInfo* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo;
    /// <summary>[95] void (OrtSession* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSession;
    /// <summary>[96] void (OrtValue* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseValue;
    public nint ReleaseRunOptions; // [97] not used
    /// <summary>[98] void (OrtTypeInfo* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo;
    /// <summary>[99] void (OrtTensorTypeAndShapeInfo* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo;
    /// <summary>[100] void (OrtSessionOptions* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions;
    public nint ReleaseCustomOpDomain; // [101] not used
    public nint GetDenotationFromTypeInfo; // [102] not used
    public nint CastTypeInfoToMapTypeInfo; // [103] not used
    public nint CastTypeInfoToSequenceTypeInfo; // [104] not used
    public nint GetMapKeyType; // [105] not used
    public nint GetMapValueType; // [106] not used
    public nint GetSequenceElementType; // [107] not used
    public nint ReleaseMapTypeInfo; // [108] not used
    public nint ReleaseSequenceTypeInfo; // [109] not used
    public nint SessionEndProfiling; // [110] not used
    /// <summary>[111] OrtStatus* (const OrtSession* session, OrtModelMetadata** out)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> SessionGetModelMetadata;
    /// <summary>[112] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> ModelMetadataGetProducerName;
    /// <summary>[113] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> ModelMetadataGetGraphName;
    /// <summary>[114] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> ModelMetadataGetDomain;
    /// <summary>[115] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, char** value)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint> ModelMetadataGetDescription;
    /// <summary>[116] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, const char* key, char** value) — value is NULL when the key is absent</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte*, byte**, nint> ModelMetadataLookupCustomMetadataMap;
    /// <summary>[117] OrtStatus* (const OrtModelMetadata* model_metadata, int64_t* value)</summary>
    public delegate* unmanaged[Cdecl]<nint, long*, nint> ModelMetadataGetVersion;
    /// <summary>[118] void (OrtModelMetadata* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseModelMetadata;
    public nint CreateEnvWithGlobalThreadPools; // [119] not used
    public nint DisablePerSessionThreads; // [120] not used
    public nint CreateThreadingOptions; // [121] not used
    public nint ReleaseThreadingOptions; // [122] not used
    /// <summary>[123] OrtStatus* (const OrtModelMetadata* model_metadata, OrtAllocator* allocator, char*** keys, int64_t* num_keys) — keys and each key freed with the allocator</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, byte***, long*, nint> ModelMetadataGetCustomMetadataMapKeys;
    public nint AddFreeDimensionOverrideByName; // [124] not used
    /// <summary>[125] OrtStatus* (char*** out_ptr, int* provider_length)</summary>
    public delegate* unmanaged[Cdecl]<byte***, int*, nint> GetAvailableProviders;
    /// <summary>[126] OrtStatus* (char** ptr, int providers_length)</summary>
    public delegate* unmanaged[Cdecl]<byte**, int, nint> ReleaseAvailableProviders;
    public nint GetStringTensorElementLength; // [127] not used
    public nint GetStringTensorElement; // [128] not used
    public nint FillStringTensorElement; // [129] not used
    /// <summary>[130] OrtStatus* (OrtSessionOptions* options, const char* config_key, const char* config_value)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry;
    public nint CreateAllocator; // [131] not used
    public nint ReleaseAllocator; // [132] not used
    public nint RunWithBinding; // [133] not used
    public nint CreateIoBinding; // [134] not used
    public nint ReleaseIoBinding; // [135] not used
    public nint BindInput; // [136] not used
    public nint BindOutput; // [137] not used
    public nint BindOutputToDevice; // [138] not used
    public nint GetBoundOutputNames; // [139] not used
    public nint GetBoundOutputValues; // [140] not used
    public nint ClearBoundInputs; // [141] not used
    public nint ClearBoundOutputs; // [142] not used
    public nint TensorAt; // [143] not used
    public nint CreateAndRegisterAllocator; // [144] not used
    public nint SetLanguageProjection; // [145] not used
    public nint SessionGetProfilingStartTimeNs; // [146] not used
    public nint SetGlobalIntraOpNumThreads; // [147] not used
    public nint SetGlobalInterOpNumThreads; // [148] not used
    public nint SetGlobalSpinControl; // [149] not used
    public nint AddInitializer; // [150] not used
    public nint CreateEnvWithCustomLoggerAndGlobalThreadPools; // [151] not used
    public nint SessionOptionsAppendExecutionProvider_CUDA; // [152] not used
    public nint SessionOptionsAppendExecutionProvider_ROCM; // [153] not used
    public nint SessionOptionsAppendExecutionProvider_OpenVINO; // [154] not used
    public nint SetGlobalDenormalAsZero; // [155] not used
    public nint CreateArenaCfg; // [156] not used
    public nint ReleaseArenaCfg; // [157] not used
    public nint ModelMetadataGetGraphDescription; // [158] not used
    public nint SessionOptionsAppendExecutionProvider_TensorRT; // [159] not used
    public nint SetCurrentGpuDeviceId; // [160] not used
    public nint GetCurrentGpuDeviceId; // [161] not used
    public nint KernelInfoGetAttributeArray_float; // [162] not used
    public nint KernelInfoGetAttributeArray_int64; // [163] not used
    public nint CreateArenaCfgV2; // [164] not used
    public nint AddRunConfigEntry; // [165] not used
    public nint CreatePrepackedWeightsContainer; // [166] not used
    public nint ReleasePrepackedWeightsContainer; // [167] not used
    public nint CreateSessionWithPrepackedWeightsContainer; // [168] not used
    public nint CreateSessionFromArrayWithPrepackedWeightsContainer; // [169] not used
    /// <summary>[170] OrtStatus* (OrtSessionOptions* options, const OrtTensorRTProviderOptionsV2* tensorrt_options)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, nint> SessionOptionsAppendExecutionProvider_TensorRT_V2;
    /// <summary>[171] OrtStatus* (OrtTensorRTProviderOptionsV2** out)</summary>
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateTensorRTProviderOptions;
    /// <summary>[172] OrtStatus* (OrtTensorRTProviderOptionsV2* tensorrt_options, const char* const* provider_options_keys, const char* const* provider_options_values, size_t num_keys)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> UpdateTensorRTProviderOptions;
    public nint GetTensorRTProviderOptionsAsString; // [173] not used
    /// <summary>[174] void (OrtTensorRTProviderOptionsV2* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorRTProviderOptions;
    public nint EnableOrtCustomOps; // [175] not used
    public nint RegisterAllocator; // [176] not used
    public nint UnregisterAllocator; // [177] not used
    public nint IsSparseTensor; // [178] not used
    public nint CreateSparseTensorAsOrtValue; // [179] not used
    public nint FillSparseTensorCoo; // [180] not used
    public nint FillSparseTensorCsr; // [181] not used
    public nint FillSparseTensorBlockSparse; // [182] not used
    public nint CreateSparseTensorWithValuesAsOrtValue; // [183] not used
    public nint UseCooIndices; // [184] not used
    public nint UseCsrIndices; // [185] not used
    public nint UseBlockSparseIndices; // [186] not used
    public nint GetSparseTensorFormat; // [187] not used
    public nint GetSparseTensorValuesTypeAndShape; // [188] not used
    public nint GetSparseTensorValues; // [189] not used
    public nint GetSparseTensorIndicesTypeShape; // [190] not used
    public nint GetSparseTensorIndices; // [191] not used
    public nint HasValue; // [192] not used
    public nint KernelContext_GetGPUComputeStream; // [193] not used
    public nint GetTensorMemoryInfo; // [194] not used
    public nint GetExecutionProviderApi; // [195] not used
    public nint SessionOptionsSetCustomCreateThreadFn; // [196] not used
    public nint SessionOptionsSetCustomThreadCreationOptions; // [197] not used
    public nint SessionOptionsSetCustomJoinThreadFn; // [198] not used
    public nint SetGlobalCustomCreateThreadFn; // [199] not used
    public nint SetGlobalCustomThreadCreationOptions; // [200] not used
    public nint SetGlobalCustomJoinThreadFn; // [201] not used
    public nint SynchronizeBoundInputs; // [202] not used
    public nint SynchronizeBoundOutputs; // [203] not used
    /// <summary>[204] OrtStatus* (OrtSessionOptions* options, const OrtCUDAProviderOptionsV2* cuda_options)</summary>
    public delegate* unmanaged[Cdecl]<nint, nint, nint> SessionOptionsAppendExecutionProvider_CUDA_V2;
    /// <summary>[205] OrtStatus* (OrtCUDAProviderOptionsV2** out)</summary>
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateCUDAProviderOptions;
    /// <summary>[206] OrtStatus* (OrtCUDAProviderOptionsV2* cuda_options, const char* const* provider_options_keys, const char* const* provider_options_values, size_t num_keys)</summary>
    public delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> UpdateCUDAProviderOptions;
    public nint GetCUDAProviderOptionsAsString; // [207] not used
    /// <summary>[208] void (OrtCUDAProviderOptionsV2* input)</summary>
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseCUDAProviderOptions;
}
