using Chat.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatWeb();

var app = builder.Build();

app.UseChatWeb();
app.MapDefaultEndpoints();
app.MapChatWeb();

app.Run();
