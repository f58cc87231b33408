#include "loader/export_names.h"

#include <gtest/gtest.h>

namespace xdet::exports {
namespace {

TEST(ExportNames, TablesMatchTheFacts) {
  // 256 from the spec plus the XeCrypt exports titles call at boot
  // (AesKey/Ecb/Cbc, HmacSha, Md5, Rc4Key/Ecb, Sha256 x4) and the Rtl
  // counted-string and printf-family exports from xenia's xboxkrnl table.
  EXPECT_EQ(kXboxkrnlExportCount, 283u);
  // xam: 52 from the spec plus the networking, task, user and content
  // exports from xenia's xam table.
  EXPECT_EQ(kXamExportCount, 107u);
  for (size_t i = 1; i < kXboxkrnlExportCount; ++i) EXPECT_LT(kXboxkrnlExports[i - 1].ordinal, kXboxkrnlExports[i].ordinal);
  for (size_t i = 1; i < kXamExportCount; ++i) EXPECT_LT(kXamExports[i - 1].ordinal, kXamExports[i].ordinal);
}

TEST(ExportNames, XeCryptOrdinals) {
  EXPECT_STREQ(find_export(KernelModule::kXboxkrnl, 0x182)->name, "XeCryptHmacSha");
  EXPECT_STREQ(find_export(KernelModule::kXboxkrnl, 0x310)->name, "XeCryptSha256Init");
  EXPECT_STREQ(find_export(KernelModule::kXboxkrnl, 0x313)->name, "XeCryptSha256");
  EXPECT_STREQ(find_export(KernelModule::kXboxkrnl, 0x151)->name, "_vswprintf");
  EXPECT_STREQ(find_export(KernelModule::kXboxkrnl, 0x114)->name, "RtlAnsiStringToUnicodeString");
}

TEST(ExportNames, LookupByOrdinalAndName) {
  EXPECT_STREQ(find_export("xboxkrnl.exe", 0x003)->name, "DbgPrint");
  EXPECT_STREQ(find_export("XBOXKRNL.EXE", 0x0CC)->name, "NtAllocateVirtualMemory");
  EXPECT_STREQ(find_export("xboxkrnl.exe", 0x2F0)->name, "KeRemoveQueueApc");
  EXPECT_TRUE(find_export("xboxkrnl.exe", 0x0AD)->is_variable);  // KeTimeStampBundle
  EXPECT_FALSE(find_export("xboxkrnl.exe", 0x0AF)->is_variable);
  EXPECT_STREQ(find_export("xam.xex", 0x1CF)->name, "XamGetCurrentTitleId");
  EXPECT_STREQ(find_export("xam.xex", 0x28A)->name, "XamNotifyCreateListener");
  EXPECT_STREQ(find_export("xboxkrnl.exe", 0x28A)->name, "NtAllocateEncryptedMemory");
  EXPECT_EQ(find_export("xboxkrnl.exe", 0x004), nullptr);
  EXPECT_EQ(find_export("xbdm.xex", 0x003), nullptr);
  EXPECT_EQ(find_export_by_name(KernelModule::kXboxkrnl, "KeTlsAlloc")->ordinal, 0x152);
  EXPECT_EQ(export_display_name("xboxkrnl.exe", 0x004), "xboxkrnl.exe!ordinal_0x004");
  EXPECT_EQ(export_display_name("xam.xex", 0x191), "XamInputGetState");
  EXPECT_STREQ(find_export("xam.xex", 0x04B)->name, "NetDll_XNetGetEthernetLinkStatus");
  EXPECT_STREQ(find_export("xam.xex", 0x258)->name, "XamContentCreate");
}

}  // namespace
}  // namespace xdet::exports
