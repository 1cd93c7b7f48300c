using Chat.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChatApi();

var app = builder.Build();

app.UseChatApi();
app.MapDefaultEndpoints();
app.MapChatApi();

app.Run();
