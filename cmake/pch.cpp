// Anchor translation unit for the shared precompiled header (see cmake/adalora_targets.cmake).
