; Inno Setup script: Iris's installer for Windows, from the one-folder app in dist\iris\.
;
;   build\app-venv\Scripts\pyinstaller --noconfirm --distpath dist packaging\iris-windows.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\iris.iss
;
; makes dist\iris-VERSION-setup.exe. The version is read from dist\iris\iris.exe (the spec
; writes desktop_app.__version__ into it); /DAppVersion=X.Y.Z on ISCC's command line overrides it.
;
; Installs for the current user by default (no administrator needed: %LOCALAPPDATA%\Programs\
; Iris); a dialog offers "install for all users" instead. Standard wizard pages only, in the
; classic style, so that screen readers (NVDA, JAWS, Narrator) read every page and control:
; welcome, licence, folder, tasks (an optional desktop icon), ready, progress, finish with
; "Launch Iris". An uninstaller is registered in Settings > Apps; it also removes the "start
; Iris when I log in" entry, which Iris writes itself.

#define AppName "Iris"
#define AppExe "irisw.exe"
#define AppConsoleExe "iris.exe"
#define AppFolder AddBackslash(SourcePath) + "..\..\dist\iris"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AddBackslash(AppFolder) + AppConsoleExe, "ProductVersion")
#endif

[Setup]
; The AppId identifies Iris to Windows across versions: never change it.
AppId={{23D1D8CF-8976-427E-98A3-F1E2E46C587B}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Iris developers
AppComments=Describes the screen and images, and reads their text aloud, on your own computer.
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
LicenseFile=..\..\LICENSE
SetupIconFile=..\..\resources\iris.ico
Uninstallable=yes
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=classic
DisableWelcomePage=no
DisableReadyPage=no
DisableFinishedPage=no
CloseApplications=yes
OutputDir=..\..\dist
OutputBaseFilename=iris-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; German, Spanish, French... (each language Iris has a catalogue for) and the words below in
; each: written by packaging/iris-windows.spec (iris_app.inno_languages)
#include AddBackslash(SourcePath) + "..\..\build\inno-languages.iss"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#AppFolder}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{cm:IrisComment}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python's byte-code caches written next to the app's files at run time, if any
Type: filesandordirs; Name: "{app}\_internal\__pycache__"

[Code]
// "Start Iris when I log in" is a value Iris writes under the current user's Run key
// (desktop_app/settings/autostart.py); a removed Iris must not be started at the next log-in.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run', 'Iris');
end;
